import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import type Docker from 'dockerode';
import { DEFAULT_EXECUTION_SETTINGS } from '../../contracts/execution-settings.js';
import type { Database } from '../../db/database.js';
import { runLogPosition } from '../../db/nanocycle-logs-store.js';
import { TPU_FAILURE_TYPES } from '../../contracts/tpu-failures.js';
import { cancellationError, currentTpuContext } from './activity-context.js';
import {
  diskLimitBytes,
  diskLimitMb,
  FILE_SIZE_LIMIT_EXIT,
  mb,
  watchDiskUse,
  type DiskWatch,
} from './disk-watch.js';
import { readContainerLines, type LineReader } from './docker-log-lines.js';
import { LogRecorder } from './log-recorder.js';
import { endingOf, recordRunReattached, runRestartOf } from './run-restart.js';
import { removeTpuContainer } from './remove-tpu-container.js';
import { sweepTpuContainers } from './sweep-tpu-containers.js';
import { tpuArgv, tpuEnv } from './tpu-command.js';
import type { TpuExecutor } from './tpu-executor.js';
import { diskLimitExceeded, engineUnreachable } from './tpu-failures.js';
import { TPU_WORKDIR, tpuContainerName, type TpuRunInput, type TpuRunResult } from './tpu-spec.js';
import { chownTree, tpuIdentity, workerOwner, type TpuIdentity } from './worktree-owner.js';

/**
 * Runs a TPU as a container on the engine, so that any number of attempts of one run make one
 * container: its name is a function of the run's ids, and an attempt that finds it re-attaches
 * (running) or reads its result (exited) instead of starting another.
 */

const HEARTBEAT_MS = 1000;
/** Stop reading the engine's log stream while this many lines wait for the database; go on at the low mark. */
const BACKLOG_HIGH = 20_000;
const BACKLOG_LOW = 2_000;

/** How long the engine gets to answer a ping before a run fails with tpu-engine-unreachable. */
const PROBE_MS = 2000;

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

const DEFAULT_TPU_IMAGE = DEFAULT_EXECUTION_SETTINGS.image;

/** The image is checked before anything else, so a missing one is its own clear failure, not a create error. */
async function assertImage(docker: Docker, image: string): Promise<void> {
  try {
    await docker.getImage(image).inspect();
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    throw ApplicationFailure.nonRetryable(
      `TPU image "${image}" is not on the container engine. ` +
        (image === DEFAULT_TPU_IMAGE
          ? `Build it with \`tevis tpu build-image\`, `
          : `Build it there (docker build -t ${image} <dir with a Dockerfile>), pull it (docker pull ${image}), `) +
        `or point the project at another one (tevis project update <project> --image <image>).`,
      TPU_FAILURE_TYPES.imageMissing,
      { image },
    );
  }
}

async function assertWorktree(path: string): Promise<void> {
  // A bind mount of a missing path would make the engine create an empty directory, owned by root.
  const info = await stat(path).catch(() => null);
  if (!info?.isDirectory()) {
    throw ApplicationFailure.nonRetryable(
      `the nanocycle's worktree ${path} does not exist on this worker`,
      'tpu-worktree-missing',
      { path },
    );
  }
}

function containerSpec(
  input: TpuRunInput,
  name: string,
  identity: TpuIdentity,
): Docker.ContainerCreateOptions {
  const argv = tpuArgv(input);
  // The root filesystem is read-only: HOME must point somewhere writable for tools that keep state there.
  const env = { HOME: '/tmp', ...tpuEnv(input) };
  return {
    name,
    Image: input.image,
    // The command is the whole of what runs: an image's own entrypoint would otherwise prefix it.
    Entrypoint: argv.slice(0, 1),
    Cmd: argv.slice(1),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    WorkingDir: TPU_WORKDIR,
    User: `${identity.uid}:${identity.gid}`,
    Tty: false,
    OpenStdin: false,
    Labels: {
      'tevis.session': input.sessionId,
      'tevis.nanocycle': input.nanocycleId,
      'tevis.run': input.runId,
    },
    HostConfig: {
      NetworkMode: input.network ? 'bridge' : 'none',
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,size=64m' },
      CapDrop: ['ALL'],
      // No file past the disk limit (RLIMIT_FSIZE, in bytes); disk-watch.ts bounds the sum.
      Ulimits: [{ Name: 'fsize', Soft: diskLimitBytes(input.limits), Hard: diskLimitBytes(input.limits) }],
      SecurityOpt: ['no-new-privileges'],
      Memory: Math.round(input.limits.memoryMb * 1024 * 1024),
      // No swap beyond the memory limit: the limit is the limit.
      MemorySwap: Math.round(input.limits.memoryMb * 1024 * 1024),
      NanoCpus: Math.round(input.limits.cpus * 1e9),
      PidsLimit: input.limits.pids,
      Binds: [`${input.worktreePath}:${TPU_WORKDIR}:rw`],
      // Never AutoRemove: the container is the record of the run until the workflow has the result.
      AutoRemove: false,
    },
  };
}

/**
 * The existing container of this run, or a new one; a concurrent attempt that created it first
 * wins. `created`: this attempt made it (so there was nothing to re-attach to).
 */
async function findOrCreate(
  docker: Docker,
  input: TpuRunInput,
  name: string,
  identity: TpuIdentity,
): Promise<{ container: Docker.Container; created: boolean }> {
  const existing = docker.getContainer(name);
  try {
    await existing.inspect();
    return { container: existing, created: false };
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  if (identity.handOver) await chownTree(input.worktreePath, identity.uid, identity.gid);
  try {
    return { container: await docker.createContainer(containerSpec(input, name, identity)), created: true };
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
  }
  // 409: a concurrent attempt holds the name. The engine reserves a name before the container
  // exists, so for a moment the name is taken and yet nothing answers to it.
  const other = docker.getContainer(name);
  for (let waited = 0; ; waited += 100) {
    try {
      await other.inspect();
      return { container: other, created: false };
    } catch (error) {
      if (statusOf(error) !== 404 || waited >= 10_000) throw error;
      await sleep(100);
    }
  }
}

/** Whether the engine answers at all within `ms`; any error (no socket, refused, timeout) is no, with why. */
export async function pingEngine(docker: Docker, ms: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${ms} ms`), ms);
  });
  try {
    return await Promise.race([docker.ping().then(() => null), timeout]);
  } catch (error) {
    return (error as Error).message;
  } finally {
    clearTimeout(timer);
  }
}

/** The Docker executor: one engine (DOCKER_HOST or the default socket), chosen at worker start. */
export class DockerTpuExecutor implements TpuExecutor {
  readonly kind = 'docker' as const;

  constructor(
    private readonly db: Database,
    private readonly docker: Docker,
    /** Where the engine is, for messages: DOCKER_HOST's value or the default socket. */
    private readonly where: string,
  ) {}

  async check(): Promise<string> {
    const version = await this.docker.version();
    return `docker (Docker ${version.Version} at ${this.where})`;
  }

  async ready(): Promise<void> {
    // An engine that does not answer fails the attempt; Temporal retries with backoff, so the
    // nanocycle waits for the engine, and never runs anywhere else meanwhile.
    const unreachable = await pingEngine(this.docker, PROBE_MS);
    if (unreachable !== null) throw engineUnreachable(this.where, unreachable);
  }

  run(input: TpuRunInput): Promise<TpuRunResult> {
    return runInDocker(this.docker, this.db, input);
  }

  release(containerName: string): Promise<{ removed: boolean }> {
    return removeTpuContainer(this.docker, containerName);
  }

  sweep(db: Database): Promise<{ removed: string[] }> {
    return sweepTpuContainers(this.docker, db);
  }
}

export async function runInDocker(docker: Docker, db: Database, input: TpuRunInput): Promise<TpuRunResult> {
  const ctx = currentTpuContext();
  await assertImage(docker, input.image);
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
  });
  const beat = () => ctx.heartbeat({ seq: recorder.storedSeq, executor: 'docker' });
  beat();

  const timers: NodeJS.Timeout[] = [setInterval(beat, HEARTBEAT_MS)];
  let disk: DiskWatch | null = null;
  let reader: LineReader | null = null;
  let timedOut = false;
  let onAbort: (() => void) | null = null;
  // Set once the container exists: what the disk watch calls when the run goes over its limit.
  let killOverLimit = () => {};
  // Everything from the container's creation on is inside this try: a cancel that arrives while
  // the engine creates or starts the container still reaches the catch, which removes it.
  try {
    // The baseline is taken before the container starts (or, re-attaching, when this attempt
    // attaches); also for a container that already exited, whose final check still counts.
    disk = await watchDiskUse([input.worktreePath], diskLimitBytes(input.limits), () => killOverLimit());
    const { container, created } = await findOrCreate(docker, input, name, identity);
    // A later attempt that finds the run's container picks the run up there: the timeline says so.
    const restart = created ? null : runRestartOf(ctx.attempt, ctx.lastHeartbeat);
    if (restart) await recordRunReattached(db, input, restart, recorder.storedSeq);
    let state = (await container.inspect()).State;
    if (state.Status === 'created') {
      // Created by this attempt, or by one that crashed before starting it. Hand the worktree over
      // again: a crashed attempt may have made the container but not yet chowned.
      if (identity.handOver) await chownTree(input.worktreePath, identity.uid, identity.gid);
      const startError = await container.start().then(
        () => null,
        // 304: a concurrent attempt started it first.
        (error: unknown) => (statusOf(error) === 304 ? null : error),
      );
      state = (await container.inspect()).State;
      if (startError) {
        // The engine could not run the command at all (no such program, …): the same every time.
        if (state.Error || statusOf(startError) === 400) {
          // Never started, never will: nobody else would remove it.
          await removeTpuContainer(docker, name);
          await giveBack();
          throw ApplicationFailure.nonRetryable(
            `the TPU command could not start in ${input.image}: ${state.Error || (startError as Error).message}`,
            TPU_FAILURE_TYPES.startFailed,
            { container: name },
          );
        }
        throw startError;
      }
    }

    const exitedAlready = state.Status === 'exited' || state.Status === 'dead';
    // Counted from the container's start, not this attempt's: a retry does not buy more time.
    const deadline = new Date(state.StartedAt).getTime() + input.timeoutSeconds * 1000;
    let killing = false;
    if (!exitedAlready) {
      timers.push(
        setInterval(() => {
          if (killing || Date.now() < deadline) return;
          killing = true;
          // Timed out only if it was still running to be killed (409: it ended by itself meanwhile).
          container.kill().then(
            () => (timedOut = true),
            () => {},
          );
        }, 500),
      );
    }
    killOverLimit = () => {
      container.kill().catch(() => {});
    };

    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(cancellationError(ctx.signal));
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    // Raced below, but may also fire when nothing awaits it any more.
    aborted.catch(() => {});

    const throttle = () => {
      if (recorder.error) reader?.stop(recorder.error as Error);
      return recorder.backlog > BACKLOG_HIGH ? recorder.whenBacklogAtMost(BACKLOG_LOW) : null;
    };
    reader = await readContainerLines(docker, container, {
      onLine: (which, line) => recorder.add(which, line),
      flushPartial: exitedAlready,
      throttle,
    });
    await Promise.race([reader.done, aborted]);
    const waited = (await Promise.race([container.wait(), aborted])) as { StatusCode: number };
    if (!exitedAlready) {
      // Following a running container, the engine can end the stream before the last message it
      // stores (a last line without a newline, at least, is written after the container is seen
      // to stop). Read the now complete log once more, counting from the start, and take the
      // lines past those already taken.
      let index = 0;
      const taken = recorder.lines;
      reader = await readContainerLines(docker, container, {
        onLine: (which, line) => {
          index += 1;
          if (index > taken) recorder.add(which, line);
        },
        flushPartial: true,
        throttle,
      });
      await Promise.race([reader.done, aborted]);
    }
    const added = await disk.finalCheck();
    await recorder.close();
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
      timedOut: timedOut || ranPastDeadline(final, input.timeoutSeconds),
      oomKilled: final.OOMKilled,
      startedAt: new Date(final.StartedAt).toISOString(),
      finishedAt: new Date(final.FinishedAt).toISOString(),
    };
  } catch (error) {
    reader?.stop();
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

/** A retry that finds the container already stopped cannot know who killed it; its clock can tell. */
function ranPastDeadline(
  state: { ExitCode: number; StartedAt: string; FinishedAt: string },
  timeoutSeconds: number,
): boolean {
  if (state.ExitCode === 0) return false;
  return new Date(state.FinishedAt).getTime() - new Date(state.StartedAt).getTime() >= timeoutSeconds * 1000;
}
