import { nanocycleRunsAreOver } from './nanocycle-statuses.js';
import { OPEN_SESSION_STATUSES } from './session-types.js';

/**
 * When a stream of a session's timeline or output has nothing more to follow: the API ends its
 * SSE streams then, and the CLI stops following. Pure, shared by both.
 */

/** The last SSE event of a stream whose subject is over: `data` is `{"reason": …}`, it has no id. */
export const STREAM_END_EVENT = 'end';

export function sessionIsOver(status: string): boolean {
  // Past the open statuses (ended, failed) nothing of the session changes or prints again until a recover.
  return !(OPEN_SESSION_STATUSES as readonly string[]).includes(status);
}

/**
 * True when the nanocycle will print nothing more. `awaiting_approval` is both a plan or agent
 * hold point (the TPU runs again after it) and the merge hold point (the work is done); the
 * record's `finishedAt`, set when its own workflow ends, tells them apart.
 */
export function nanocycleOutputIsOver(nc: { status: string; finishedAt: unknown }): boolean {
  return nanocycleRunsAreOver(nc.status) || (nc.finishedAt !== null && nc.finishedAt !== undefined);
}
