import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../../db/database.js';
import { lastAcpSessionId } from '../../db/acp-lines-store.js';
import { runLogPosition } from '../../db/nanocycle-logs-store.js';
import { cancellationError, currentTpuContext } from './activity-context.js';
import { diskLimitBytes, diskLimitMb, FILE_SIZE_LIMIT_EXIT, mb, watchDiskUse } from './disk-watch.js';
import { holdSandboxInput, writeSandboxInput } from './live-sandbox-inputs.js';
import { LogRecorder } from './log-recorder.js';
import { ACP_CANCEL_GRACE_MS, type RunStdinDelivery, type RunStdinTarget, stdinText } from './run-stdin.js';
import { recordPipes } from './pipe-output.js';
import { endingOf, recordRunRestart, runRestartOf } from './run-restart.js';
import { sandboxArgv } from './sandbox-command.js';
import { writeSandboxEtc } from './sandbox-etc.js';
import { runToEnd, sandboxExitCode, spawnSandbox } from './sandbox-process.js';
import { tpuArgv, tpuEnv } from './tpu-command.js';
import type { TpuExecutor } from './tpu-executor.js';
import { diskLimitExceeded, executorMissing, networkUnsupported } from './tpu-failures.js';
import type { TpuRunInput, TpuRunResult } from './tpu-spec.js';
import { workClock } from './work-clock.js';
import { assertWorktree } from './worktree-present.js';

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
/** How often the run's clock is looked at (activities/tpu/work-clock.ts), as docker's is. */
const CLOCK_CHECK_MS = 500;

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

  async tell(target: RunStdinTarget, text: string): Promise<RunStdinDelivery> {
    return writeSandboxInput(target.runId, target.attempt, text);
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
    await assertWorktree(input.worktreePath);
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
    // A restarted ACP turn asks its agent to load the session the lost run had open.
    const resume = restart && input.acp ? await lastAcpSessionId(this.db, input) : null;
    const recorder = new LogRecorder({
      db: this.db,
      sessionId: input.sessionId,
      nanocycleId: input.nanocycleId,
      run: input.run,
      attempt: ctx.attempt,
      baseSeq,
      alreadyWritten: 0,
      onWritten: (seq) => ctx.heartbeat({ seq, executor: 'sandbox' }),
      acpLines: Boolean(input.acp),
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
      { worktree: input.worktreePath, scratch, etc, acpRunner: input.acp?.runner },
      limitBytes,
      resume ? { ...tpuEnv(input), TEVIS_ACP_RESUME: resume } : tpuEnv(input),
      command,
    );
    // Measured from before the start (its baseline); what it calls is set once the sandbox exists.
    let killNow = () => {};
    const disk = await watchDiskUse([input.worktreePath, scratch], limitBytes, () => killNow());
    const startedAt = new Date();
    const sandbox = spawnSandbox(argv, { stdin: Boolean(input.acp) });
    killNow = sandbox.killNow;
    const stop = sandbox.stop;
    const stdin = sandbox.child.stdin;
    // A pipe whose reader is gone (the sandbox ended) must not fail the worker.
    stdin?.on('error', () => {});
    const forgetInput = stdin ? holdSandboxInput(input.runId, ctx.attempt, stdin) : () => {};

    let timedOut = false;
    const clock = workClock(this.db, input, startedAt.getTime());
    let checking = false;
    const timers: NodeJS.Timeout[] = [
      setInterval(beat, HEARTBEAT_MS),
      setInterval(() => {
        if (checking || timedOut) return;
        checking = true;
        void clock.expired().then((expired) => {
          checking = false;
          if (!expired) return;
          timedOut = true;
          stop();
        });
      }, CLOCK_CHECK_MS),
    ];
    const onAbort = () => {
      // An ACP agent's turn is cancelled through its runner, which ends it the protocol's way and
      // says so in the output; the sandbox is stopped if that takes longer than the grace.
      if (stdin && ctx.cancelKind() === 'requested') {
        stdin.write(stdinText({ cancel: true }));
        timers.push(setTimeout(stop, ACP_CANCEL_GRACE_MS));
      } else stop();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    try {
      const pipes = recordPipes(sandbox.child, recorder, stop);
      const exitCode = await sandboxExitCode(sandbox.child, argv[0]!);
      const added = await disk.finalCheck();
      pipes.end();
      await recorder.close();
      if (ctx.signal.aborted) throw cancellationError(ctx.signal);
      beat();
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
      forgetInput();
      stdin?.destroy();
      disk.stop();
      for (const timer of timers) clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      await rm(scratch, { recursive: true, force: true }).catch(() => {});
    }
  }
}
