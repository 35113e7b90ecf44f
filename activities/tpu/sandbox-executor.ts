import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { Database } from '../../db/database.js';
import { runLogPosition, type LogStream } from '../../db/nanocycle-logs-store.js';
import { cancellationError, currentTpuContext } from './activity-context.js';
import { LineSplitter } from './line-splitter.js';
import { LogRecorder } from './log-recorder.js';
import { tpuArgv, tpuEnv } from './tpu-command.js';
import type { TpuRunInput, TpuRunResult } from './tpu-spec.js';

/**
 * Runs a TPU as a plain child process of the worker, in the worktree, when no container engine
 * is reachable. Same input, same record, same result; no sandbox beyond its own environment and
 * working directory, which is why the result says `executor: 'local'`.
 *
 * A process cannot be re-attached to: on any cancellation (worker shutdown included) it is killed,
 * and a retried attempt runs the command again. Its lines continue after whatever the interrupted
 * attempt stored, so the record keeps both and numbers nothing twice.
 */

const HEARTBEAT_MS = 1000;
const KILL_GRACE_MS = 2000;
const BACKLOG_HIGH = 20_000;
const BACKLOG_LOW = 2_000;

/** What the worker's environment lends a local TPU: enough to find programs and a home, none of the worker's secrets. */
const INHERITED_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ'];

function localEnv(input: TpuRunInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of INHERITED_ENV) if (process.env[key] !== undefined) env[key] = process.env[key];
  return { ...env, ...tpuEnv(input) };
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

export async function runLocally(db: Database, input: TpuRunInput): Promise<TpuRunResult> {
  const ctx = currentTpuContext();
  const info = await stat(input.worktreePath).catch(() => null);
  if (!info?.isDirectory()) {
    throw ApplicationFailure.nonRetryable(`the nanocycle's worktree ${input.worktreePath} does not exist on this worker`, 'tpu-worktree-missing', {
      path: input.worktreePath,
    });
  }
  ctx.signal.throwIfAborted();

  const position = await runLogPosition(db, input);
  const recorder = new LogRecorder({
    db,
    sessionId: input.sessionId,
    nanocycleId: input.nanocycleId,
    run: input.run,
    // After everything of this run already stored: an earlier attempt's lines stay as they were.
    baseSeq: position.baseSeq + position.written,
    alreadyWritten: 0,
    onWritten: (seq) => ctx.heartbeat({ seq, executor: 'local' }),
  });
  const beat = () => ctx.heartbeat({ seq: recorder.storedSeq, executor: 'local' });
  beat();

  const argv = tpuArgv(input);
  const startedAt = new Date();
  // Its own process group, so a timeout or a cancel stops everything it started, not just the shell.
  const child = spawn(argv[0]!, argv.slice(1), { cwd: input.worktreePath, env: localEnv(input), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
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
    const splitters: Record<LogStream, LineSplitter> = { stdout: new LineSplitter(), stderr: new LineSplitter() };
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

    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      // 'close', not 'exit': every byte of both pipes has been read by then.
      child.once('close', (code, signal) => resolve({ code, signal }));
    }).catch((error: NodeJS.ErrnoException) => {
      throw ApplicationFailure.nonRetryable(`the TPU command ${JSON.stringify(argv[0])} could not start: ${error.message}`, 'tpu-start-failed', {
        code: error.code,
      });
    });
    recorder.addAll('stdout', splitters.stdout.end());
    recorder.addAll('stderr', splitters.stderr.end());
    await recorder.close();
    if (ctx.signal.aborted) throw cancellationError(ctx.signal);
    beat();
    return {
      exitCode: exit.code ?? 128 + (SIGNAL_NUMBERS[exit.signal ?? 'SIGKILL'] ?? 9),
      executor: 'local',
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
    throw ctx.signal.aborted ? cancellationError(ctx.signal) : error;
  } finally {
    for (const timer of timers) clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
