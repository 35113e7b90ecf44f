import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isRealDirectory, readFileInside } from '../git/read-inside.js';

/** Exit code by which an agent asks a person something (EX_TEMPFAIL): "try again with an answer". */
export const AGENT_HOLD_EXIT_CODE = 75;

/**
 * Reads and removes the agent's `.tevis/hold.json` (`{"reason": …}`), so the file never ends up
 * in the nanocycle's commit and the next run starts clean. The TPU wrote it: a link (the file or
 * `.tevis` itself) reads as a missing request, and nothing outside the worktree is read or removed.
 */
export async function readAgentHoldRequest(input: { worktree: string }): Promise<{ reason: string }> {
  let reason = 'the agent asked for a decision without saying why (.tevis/hold.json missing or unreadable)';
  try {
    const text = await readFileInside(input.worktree, '.tevis/hold.json', 64 * 1024);
    const parsed = (text === null ? {} : JSON.parse(text)) as { reason?: unknown };
    if (typeof parsed.reason === 'string' && parsed.reason.trim())
      reason = parsed.reason.trim().slice(0, 4000);
  } catch {
    // Malformed: the hold point still opens, with the reason above.
  }
  // Only from a real `.tevis` directory: through a linked one, rm would delete a file elsewhere.
  const dir = join(input.worktree, '.tevis');
  if (await isRealDirectory(dir)) await rm(join(dir, 'hold.json'), { force: true, recursive: true });
  return { reason };
}
