import { appendLogLines } from '../../db/nanocycle-logs-store.js';
import type { Database } from '../../db/database.js';
import { appendEvent } from '../../db/timeline-store.js';
import { runReattachedText, runRestartedText, type RunRestartReason } from '../../contracts/run-restart.js';
import type { TpuHeartbeat, TpuRunInput } from './tpu-spec.js';

/**
 * A retried TPU activity that starts its command again (the sandbox cannot re-attach to a process
 * its lost worker ran) says so where people look: a `tevis` line in the output just before the
 * lines printed again, and `nanocycle.run_restarted` on the timeline. Each attempt writes them
 * once (the event is keyed by run and attempt; the line has the next seq of the record).
 */

export interface RunRestart {
  attempt: number;
  reason: RunRestartReason;
}

/**
 * Why attempt `attempt` runs at all, from what the attempt before it heartbeated: an `ending`
 * it managed to send (a shutdown, a failure), else a run that heartbeated and then went silent,
 * which is what a lost worker looks like. Null on a first attempt.
 */
export function runRestartOf(attempt: number, lastHeartbeat: TpuHeartbeat | undefined): RunRestart | null {
  if (attempt <= 1) return null;
  if (lastHeartbeat?.ending) return { attempt, reason: lastHeartbeat.ending };
  return { attempt, reason: lastHeartbeat ? 'worker-lost' : 'attempt-failed' };
}

/** Writes the marker line at `seq` and the timeline event. */
export async function recordRunRestart(
  db: Database,
  input: TpuRunInput,
  restart: RunRestart,
  seq: number,
): Promise<void> {
  const text = runRestartedText(restart.attempt, restart.reason);
  await appendLogLines(db, {
    sessionId: input.sessionId,
    nanocycleId: input.nanocycleId,
    run: input.run,
    attempt: restart.attempt,
    fromSeq: seq,
    lines: [{ stream: 'tevis', line: text, at: new Date() }],
  });
  await appendEvent(db, {
    sessionId: input.sessionId,
    type: 'nanocycle.run_restarted',
    data: {
      nanocycleId: input.nanocycleId,
      run: input.run,
      attempt: restart.attempt,
      reason: restart.reason,
      message: text,
      seq,
    },
    key: `${input.nanocycleId}:${input.runId}:restart:${restart.attempt}`,
  });
}

/**
 * A docker run a later attempt re-attached to: nothing is printed twice, so the output has no
 * line about it; the timeline says the attempt picked the run up (`nanocycle.run_reattached`).
 */
export async function recordRunReattached(
  db: Database,
  input: TpuRunInput,
  restart: RunRestart,
  seq: number,
): Promise<void> {
  await appendEvent(db, {
    sessionId: input.sessionId,
    type: 'nanocycle.run_reattached',
    data: {
      nanocycleId: input.nanocycleId,
      run: input.run,
      attempt: restart.attempt,
      reason: restart.reason,
      message: runReattachedText(restart.attempt, restart.reason),
      seq,
    },
    key: `${input.nanocycleId}:${input.runId}:reattach:${restart.attempt}`,
  });
}

/** What an attempt that stops without a result heartbeats last, so the next one can say why. */
export function endingOf(aborted: boolean, workerShutdown: boolean): 'worker-shutdown' | 'attempt-failed' {
  return aborted && workerShutdown ? 'worker-shutdown' : 'attempt-failed';
}
