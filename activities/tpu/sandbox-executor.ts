import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { TPU_FAILURE_TYPES } from '../../contracts/tpu-failures.js';
import type { Database } from '../../db/database.js';
import { runLogPosition, type LogStream } from '../../db/nanocycle-logs-store.js';
import { cancellationError, currentTpuContext } from './activity-context.js';
import { diskLimitBytes, diskLimitMb, FILE_SIZE_LIMIT_EXIT, mb, watchDiskUse } from './disk-watch.js';
import { LineSplitter } from './line-splitter.js';
import { LogRecorder } from './log-recorder.js';
import { endingOf, recordRunRestart, runRestartOf } from './run-restart.js';
import { sandboxArgv } from './sandbox-command.js';
import { writeSandboxEtc } from './sandbox-etc.js';
import { tpuArgv, tpuEnv } from './tpu-command.js';
import type { TpuExecutor } from './tpu-executor.js';
import { diskLimitExceeded, executorMissing, networkUnsupported } from './tpu-failures.js';
import type { TpuRunInput, TpuRunResult } from './tpu-spec.js';

/**
 * Runs a TPU in a bubblewrap sandbox on the worker's host (sandbox-command.ts says what it sees),
 * for hosts without a container engine. The memory, CPU and process limits are the container
 * engine's (cgroups) and do not apply here; the disk limit and the timeout do.
 *
 * A sandbox cannot be re-attached to: on any cancellation (worker shutdown included) it is killed,
 * and a retried attempt runs the command again. Its lines continue after whatever the interrupted
 * attempt stored, after a `tevis` line that says the run restarted (run-restart.ts), so the record
 * keeps both copies, numbers nothing twice, and tells them apart by their attempt.
 */

const HEARTBEAT_MS = 1000;
const KILL_GRACE_MS = 2000;
const BACKLOG_HIGH = 20_000;
const BACKLOG_LOW = 2_000;

/**
 * The whole environment prlimit and bwrap start with: bwrap stays the sandbox's pid 1, and its
 * /proc/1/environ is readable from inside, so nothing of the worker's environment goes there.
 */
const LAUNCH_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGTERM: 15,
  SIGXFSZ: 25,
};

export class SandboxTpuExecutor implements TpuExecutor {
  readonly kind = 'sandbox' as const;
  private etc: Promise<string> | null = null;
  private usable: Promise<string | null> | null = null;

  constructor(
    private readonly db: Database,
    /** The bwrap found at worker start (choose-executor.ts). */
    private readonly bwrapPath: string,
  ) {}

  async check(): Promise<string> {
    await this.ready();
    const { out } = await runToEnd(this.bwrapPath, ['--version']);
    return `sandbox (${out.trim()})`;
  }

  /**
   * Whether bwrap can make this sandbox on this host at all (a kernel without unprivileged user
   * namespaces, a container without the rights, cannot): found out once, by making an empty one.
   */
  async ready(): Promise<void> {
    this.usable ??= this.tryEmptySandbox();
    const problem = await this.usable;
    if (problem) throw executorMissing(`bwrap cannot make a sandbox on this host: ${problem}`);
  }

  private async tryEmptySandbox(): Promise<string | null> {
    const dir = await mkdtemp(join(tmpdir(), 'tevis-sandbox-probe-'));
    try {
      this.etc ??= writeSandboxEtc();
      const argv = sandboxArgv(
        this.bwrapPath,
        { worktree: dir, scratch: dir, etc: await this.etc },
        1024 * 1024,
        {},
        ['true'],
      );
      const { code, err } = await runToEnd(argv[0]!, argv.slice(1));
      return code === 0 ? null : err.trim() || `exit code ${code}`;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async release(): Promise<{ removed: boolean }> {
    return { removed: false };
  }

  async sweep(): Promise<{ removed: string[] }> {
    // Every sandbox dies with the worker that ran it (--die-with-parent): nothing outlives it.
    return { removed: [] };
  }

  async run(input: TpuRunInput): Promise<TpuRunResult> {
    const ctx = currentTpuContext();
    const info = await stat(input.worktreePath).catch(() => null);
    if (!info?.isDirectory()) {
      throw ApplicationFailure.nonRetryable(
        `the nanocycle's worktree ${input.worktreePath} does not exist on this worker`,
        TPU_FAILURE_TYPES.worktreeMissing,
        {
          path: input.worktreePath,
        },
      );
    }
    if (input.network) throw networkUnsupported();
    ctx.signal.throwIfAborted();

    const position = await runLogPosition(this.db, input);
    // After everything of this run already stored: an earlier attempt's lines stay as they were,
    // and a restart says so in a line of its own before the lines come again.
    let baseSeq = position.baseSeq + position.written;
    // An attempt that never heartbeated stored nothing and never started the command (it
    // heartbeats before it does): nothing runs again, so nothing is said.
    const restart =
      ctx.lastHeartbeat || position.written > 0 ? runRestartOf(ctx.attempt, ctx.lastHeartbeat) : null;
    if (restart) await recordRunRestart(this.db, input, restart, ++baseSeq);
    const recorder = new LogRecorder({
      db: this.db,
      sessionId: input.sessionId,
      nanocycleId: input.nanocycleId,
      run: input.run,
      attempt: ctx.attempt,
      baseSeq,
      alreadyWritten: 0,
      onWritten: (seq) => ctx.heartbeat({ seq, executor: 'sandbox' }),
    });
    const beat = () => ctx.heartbeat({ seq: recorder.storedSeq, executor: 'sandbox' });
    beat();

    // Before anything is made: an empty command throws here.
    const command = tpuArgv(input);
    this.etc ??= writeSandboxEtc();
    const etc = await this.etc;
    const scratch = await mkdtemp(join(tmpdir(), 'tevis-tpu-tmp-'));
    const limitBytes = diskLimitBytes(input.limits);
    const argv = sandboxArgv(
      this.bwrapPath,
      { worktree: input.worktreePath, scratch, etc },
      limitBytes,
      tpuEnv(input),
      command,
    );
    // Measured from before the start (its baseline); what it calls is set once the sandbox exists.
    let killNow = () => {};
    const disk = await watchDiskUse([input.worktreePath, scratch], limitBytes, () => killNow());
    const startedAt = new Date();
    // Its own process group, so a timeout or a cancel kills bwrap, and with it (--die-with-parent)
    // the sandbox's pid 1 and so every process in the sandbox's pid namespace.
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: '/',
      env: { PATH: LAUNCH_PATH },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    killNow = () => killGroup('SIGKILL');
    const stop = () => {
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
    };

    let timedOut = false;
    const timers: NodeJS.Timeout[] = [
      setInterval(beat, HEARTBEAT_MS),
      setTimeout(() => {
        timedOut = true;
        stop();
      }, input.timeoutSeconds * 1000),
    ];
    const onAbort = () => stop();
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    try {
      const splitters: Record<LogStream, LineSplitter> = {
        stdout: new LineSplitter(),
        stderr: new LineSplitter(),
      };
      const read = (which: LogStream, source: NodeJS.ReadableStream) => {
        source.on('data', (chunk: Buffer) => {
          recorder.addAll(which, splitters[which].push(chunk, new Date()));
          if (recorder.error) stop();
          else if (recorder.backlog > BACKLOG_HIGH && !source.isPaused()) {
            source.pause();
            void recorder.whenBacklogAtMost(BACKLOG_LOW).then(() => source.resume());
          }
        });
      };
      read('stdout', child.stdout);
      read('stderr', child.stderr);

      const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve, reject) => {
          child.once('error', reject);
          // 'close', not 'exit': every byte of both pipes has been read by then.
          child.once('close', (code, signal) => resolve({ code, signal }));
        },
      ).catch((error: NodeJS.ErrnoException) => {
        throw ApplicationFailure.nonRetryable(
          `the sandbox could not start (${argv[0]}): ${error.message}`,
          TPU_FAILURE_TYPES.startFailed,
          { code: error.code },
        );
      });
      const added = await disk.finalCheck();
      recorder.addAll('stdout', splitters.stdout.end());
      recorder.addAll('stderr', splitters.stderr.end());
      await recorder.close();
      if (ctx.signal.aborted) throw cancellationError(ctx.signal);
      beat();
      const exitCode = exit.code ?? 128 + (SIGNAL_NUMBERS[exit.signal ?? 'SIGKILL'] ?? 9);
      if (added !== null)
        throw diskLimitExceeded(diskLimitMb(input.limits), `it added ${mb(added)} to its worktree and /tmp`);
      if (exitCode === FILE_SIZE_LIMIT_EXIT)
        throw diskLimitExceeded(diskLimitMb(input.limits), 'a file it wrote reached the limit (SIGXFSZ)');
      return {
        exitCode,
        executor: 'sandbox',
        tail: recorder.tail,
        logLines: recorder.lines,
        lastSeq: recorder.lastSeq,
        timedOut,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
      };
    } catch (error) {
      stop();
      await recorder.close().catch(() => {});
      // Best effort (a lost worker sends nothing): the next attempt's restart line says why.
      if (!(ctx.signal.aborted && ctx.cancelKind() === 'requested')) {
        ctx.heartbeat({
          seq: recorder.storedSeq,
          executor: 'sandbox',
          ending: endingOf(ctx.signal.aborted, ctx.workerShutdown()),
        });
      }
      throw ctx.signal.aborted ? cancellationError(ctx.signal) : error;
    } finally {
      disk.stop();
      for (const timer of timers) clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      await rm(scratch, { recursive: true, force: true }).catch(() => {});
    }
  }
}

/** Runs a short command to its end: its exit code and what it printed. */
function runToEnd(
  command: string,
  args: string[],
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { PATH: LAUNCH_PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}
