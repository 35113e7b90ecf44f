import type { Database } from '../../db/database.js';
import { findSessionContext, getSession } from '../../db/sessions-store.js';
import { listProjectMemory } from '../../db/summaries-store.js';
import { readFileInside } from '../../git/read-inside.js';

/** What one planning document and all of the context may bring into the prompt (an env variable). */
const DOC_MAX_BYTES = 32 * 1024;
const CONTEXT_MAX_CHARS = 96 * 1024;

/**
 * The session's loaded context as the ACP runner's prompt takes it (tpu/acp/prompt-text.ts):
 * the planning documents the session loaded, read from the nanocycle's worktree without following
 * links, its preferences, and the project's memory from earlier sessions. Documents past the
 * bound are left out whole, and the prompt lists what was left out, rather than cut mid-text.
 */
export async function acpPromptContext(
  db: Database,
  input: { sessionId: string; worktreePath: string },
): Promise<string> {
  const [session, loaded] = await Promise.all([
    getSession(db, input.sessionId),
    findSessionContext(db, input.sessionId),
  ]);
  const memory = (await listProjectMemory(db, session.project))
    .filter((entry) => entry.sessionId !== input.sessionId)
    .reverse()
    .map((entry) => entry.content);
  const context = {
    documents: [] as Array<{ path: string; content: string }>,
    preferences: loaded?.preferences ?? {},
    memory,
    leftOut: [] as string[],
  };
  let size = JSON.stringify(context).length;
  for (const path of loaded?.docs ?? []) {
    const content = await readFileInside(input.worktreePath, path, DOC_MAX_BYTES).catch(() => null);
    if (content === null) continue;
    const cost = JSON.stringify({ path, content }).length;
    if (size + cost > CONTEXT_MAX_CHARS) {
      context.leftOut.push(path);
      continue;
    }
    size += cost;
    context.documents.push({ path, content });
  }
  return JSON.stringify(context);
}
