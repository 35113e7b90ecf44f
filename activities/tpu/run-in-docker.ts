import type Docker from 'dockerode';
import type { Database } from '../../db/database.js';
import { runLogPosition } from '../../db/nanocycle-logs-store.js';
import { cancellationError, currentTpuContext } from './activity-context.js';
import { killAtDeadline, ranPastDeadline } from './container-deadline.js';
import { workClock } from './work-clock.js';
import { ContainerOutput } from './container-output.js';
import {
  diskLimitBytes,
  diskLimitMb,
  FILE_SIZE_LIMIT_EXIT,
  mb,
  watchDiskUse,
  type DiskWatch,
} from './disk-watch.js';
import { writeContainerStdin } from './container-stdin.js';
import { findOrCreate } from './find-or-create-container.js';
import { ACP_CANCEL_GRACE_MS, stdinText } from './run-stdin.js';
import { LogRecorder } from './log-recorder.js';
import { removeTpuContainer } from './remove-tpu-container.js';
import { endingOf, recordRunReattached, runRestartOf } from './run-restart.js';
import { startIfCreated } from './start-tpu-container.js';
import { tpuContainerName, type TpuRunInput, type TpuRunResult } from './tpu-spec.js';
import { diskLimitExceeded } from './tpu-failures.js';
import { assertWorktree } from './worktree-present.js';
import { chownTree, tpuIdentity, workerOwner } from './worktree-owner.js';

/**
 * Runs a TPU as a container on the engine, so that any number of attempts of one run make one
 * container: its name is a function of the run's ids, and an attempt that finds it re-attaches
 * (running) or reads its result (exited) instead of starting another.
 */

const HEARTBEAT_MS = 1000;

export async function runInDocker(docker: Docker, db: Database, input: TpuRunInput): Promise<TpuRunResult> {
  const ctx = currentTpuContext();
  // The image is not asked about first: creating the container says whether it is there.
  await assertWorktree(input.worktreePath);
  // Cancelled before anything exists: make nothing (a container made now would only be removed).
  if (ctx.signal.aborted && ctx.cancelKind() === 'requested') throw cancellationError(ctx.signal);
  const name = tpuContainerName(input);
  const identity = tpuIdentity();
  const giveBack = async () => {
    if (identity.handOver) await chownTree(input.worktreePath, workerOwner().uid, workerOwner().gid);
  };

  // Where this run's lines are numbered from, and how many of them an earlier attempt stored.
  const position = await runLogPosition(db, input);
  const heartbeated = ctx.lastHeartbeat ? ctx.lastHeartbeat.seq - position.baseSeq : 0;
  const recorder = new LogRecorder({
    db,
    sessionId: input.sessionId,
    nanocycleId: input.nanocycleId,
    run: input.run,
    baseSeq: position.baseSeq,
    attempt: ctx.attempt,
    alreadyWritten: Math.max(position.written, heartbeated, 0),
    onWritten: (seq) => ctx.heartbeat({ seq, executor: 'docker' }),
    acpLines: Boolean(input.acp),
  });
  const beat = () => ctx.heartbeat({ seq: recorder.storedSeq, executor: 'docker' });
  beat();

  const timers: NodeJS.Timeout[] = [setInterval(beat, HEARTBEAT_MS)];
  let disk: DiskWatch | null = null;
  let output: ContainerOutput | null = null;
  let timedOut = false;
  let onAbort: (() => void) | null = null;
  // Set once the container exists: what the disk watch calls when the run goes over its limit.
  let killOverLimit = () => {};
  // Everything from the container's creation on is inside this try: a cancel that arrives while
  // the engine creates or starts the container still reaches the catch, which removes it.
  try {
    // The baseline is taken before the container starts (or, re-attaching, when this attempt
    // attaches); also for a container that already exited, whose final check still counts. It is
    // measured while the engine creates the container, which starts nothing.
    const [watching, finding] = await Promise.allSettled([
      watchDiskUse([input.worktreePath], diskLimitBytes(input.limits), () => killOverLimit()),
      findOrCreate(docker, input, name, identity),
    ]);
    if (watching.status === 'fulfilled') disk = watching.value;
    if (finding.status === 'rejected') throw finding.reason;
    if (watching.status === 'rejected') throw watching.reason;
    const watch = watching.value;
    const { container, created } = finding.value;
    // A later attempt that finds the run's container picks the run up there: the timeline says so.
    const restart = created ? null : runRestartOf(ctx.attempt, ctx.lastHeartbeat);
    if (restart) await recordRunReattached(db, input, restart, recorder.storedSeq);
    const state = await startIfCreated(docker, container, name, input, giveBack, created);

    const exitedAlready = state.Status === 'exited' || state.Status === 'dead';
    // Counted from the container's start, not this attempt's: a retry does not buy more time.
    const clock = workClock(db, input, new Date(state.StartedAt).getTime());
    if (!exitedAlready) {
      timers.push(
        killAtDeadline(container, clock, () => {
          timedOut = true;
        }),
      );
    }
    killOverLimit = () => {
      container.kill().catch(() => {});
    };

    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        const fail = () => reject(cancellationError(ctx.signal));
        // An ACP agent's turn is cancelled through its runner first, which ends it the protocol's
        // way; its last lines are read as usual, and the container goes after (below, or at the grace).
        if (input.acp && ctx.cancelKind() === 'requested') {
          writeContainerStdin(docker, name, stdinText({ cancel: true })).catch(() => {});
          timers.push(setTimeout(fail, ACP_CANCEL_GRACE_MS));
        } else fail();
      };
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    // Raced below, but may also fire when nothing awaits it any more.
    aborted.catch(() => {});

    output = new ContainerOutput(docker, container, recorder);
    await output.follow(exitedAlready, aborted);
    const waited = (await Promise.race([container.wait(), aborted])) as { StatusCode: number };
    if (!exitedAlready) await output.readRest(aborted);
    const added = await watch.finalCheck();
    await recorder.close();
    // A cancelled ACP turn that ended within its grace: its lines are stored; the catch removes it.
    if (ctx.signal.aborted && ctx.cancelKind() === 'requested') throw cancellationError(ctx.signal);
    const finished = await container.inspect();
    const final = finished.State;
    await giveBack();
    beat();
    const exitCode = final.ExitCode ?? waited.StatusCode;
    const overLimit =
      added !== null
        ? `it added ${mb(added)} to its worktree`
        : exitCode === FILE_SIZE_LIMIT_EXIT
          ? 'a file it wrote reached the limit (SIGXFSZ)'
          : null;
    if (overLimit) {
      // The failure ends the activity: nobody else will remove the container.
      await removeTpuContainer(docker, name);
      throw diskLimitExceeded(diskLimitMb(input.limits), overLimit);
    }
    return {
      exitCode,
      executor: 'docker',
      // By id: the handle may have been looked up by name.
      containerId: finished.Id,
      containerName: name,
      tail: recorder.tail,
      logLines: recorder.lines,
      lastSeq: recorder.lastSeq,
      timedOut: timedOut || (await ranPastDeadline(final, clock)),
      oomKilled: final.OOMKilled,
      startedAt: new Date(final.StartedAt).toISOString(),
      finishedAt: new Date(final.FinishedAt).toISOString(),
    };
  } catch (error) {
    output?.stop();
    if (ctx.signal.aborted && ctx.cancelKind() === 'requested') {
      // The work itself is cancelled: nothing will re-attach, so the container goes now (also
      // one whose creation or start was still under way when the cancel came).
      await removeTpuContainer(docker, name);
      await giveBack();
      await recorder.close().catch(() => {});
      throw cancellationError(ctx.signal);
    }
    // Worker shutdown, a timed-out attempt, a database error…: the container keeps running and
    // keeps the worktree; the next attempt re-attaches and reads on from the record's last line.
    await recorder.close().catch(() => {});
    ctx.heartbeat({
      seq: recorder.storedSeq,
      executor: 'docker',
      ending: endingOf(ctx.signal.aborted, ctx.workerShutdown()),
    });
    throw error;
  } finally {
    disk?.stop();
    for (const timer of timers) clearInterval(timer);
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
  }
}
