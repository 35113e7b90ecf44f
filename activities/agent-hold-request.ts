import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Exit code by which an agent asks a person something (EX_TEMPFAIL): "try again with an answer". */
export const AGENT_HOLD_EXIT_CODE = 75;

/**
 * Reads and removes the agent's `.tevis/hold.json` (`{"reason": …}`), so the file never ends up
 * in the nanocycle's commit and the next run starts clean.
 */
export async function readAgentHoldRequest(input: { worktree: string }): Promise<{ reason: string }> {
  const file = join(input.worktree, '.tevis', 'hold.json');
  let reason = 'the agent asked for a decision without saying why (.tevis/hold.json missing or unreadable)';
  try {
    if ((await stat(file)).size <= 64 * 1024) {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as { reason?: unknown };
      if (typeof parsed.reason === 'string' && parsed.reason.trim()) reason = parsed.reason.trim().slice(0, 4000);
    }
  } catch {
    // Missing or malformed: the hold point still opens, with the reason above.
  }
  await rm(file, { force: true });
  return { reason };
}
