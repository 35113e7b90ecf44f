import { Context } from '@temporalio/activity';

/** Often enough for any heartbeat timeout of a few times this (the workflows give git 20 s). */
const HEARTBEAT_MS = 2000;

/**
 * Runs `work` (git, mostly: a merge, a commit, a worktree add, a push) while telling Temporal
 * every few seconds that this worker is alive. With a heartbeatTimeout on the activity, a worker
 * lost in the middle is then noticed in about that timeout and the activity is retried on another
 * worker, instead of after its whole start-to-close timeout. Outside an activity it just runs.
 */
export async function heartbeatWhile<T>(work: () => Promise<T>): Promise<T> {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return work();
  }
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
