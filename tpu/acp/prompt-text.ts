import { z } from 'zod';

/**
 * The prompt the agent gets: the nanocycle's goal, then the session's loaded context. The worker
 * writes the context as a JSON file of this shape next to the worktree (or anywhere the TPU can
 * read); every part is optional, and keys this runner does not know are ignored so the worker may
 * add some before the runner learns to show them.
 */
export const PromptContext = z.looseObject({
  /** Planning documents, e.g. `.tevis/plan.md`, with their text. */
  documents: z.array(z.object({ path: z.string(), content: z.string() })).default([]),
  /** The project's preferences, by key. */
  preferences: z.record(z.string(), z.string()).default({}),
  /** Earlier sessions' summaries: the project memory, oldest first. */
  memory: z.array(z.string()).default([]),
  /** Planning documents too large to bring: named, so the agent can read them itself. */
  leftOut: z.array(z.string()).default([]),
});
export type PromptContext = z.infer<typeof PromptContext>;

export function promptText(goal: string, context: PromptContext): string {
  const parts = [`# Goal\n\n${goal.trim() || '(no goal given)'}`];
  for (const doc of context.documents)
    parts.push(`# Planning document: ${doc.path}\n\n${doc.content.trim()}`);
  if (context.leftOut.length > 0)
    parts.push(
      `# Planning documents not included (too large; read them in the worktree)\n\n${context.leftOut.map((p) => `- ${p}`).join('\n')}`,
    );
  const preferences = Object.entries(context.preferences);
  if (preferences.length > 0)
    parts.push(`# Preferences\n\n${preferences.map(([key, value]) => `- ${key}: ${value}`).join('\n')}`);
  if (context.memory.length > 0)
    parts.push(
      `# Project memory (earlier sessions)\n\n${context.memory.map((m) => `- ${m.trim()}`).join('\n')}`,
    );
  return `${parts.join('\n\n')}\n`;
}
