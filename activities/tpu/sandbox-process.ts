import { type ChildProcess, spawn } from 'node:child_process';
import { ApplicationFailure } from '@temporalio/common';
import { TPU_FAILURE_TYPES } from '../../contracts/tpu-failures.js';

/**
 * The whole environment prlimit and bwrap start with: bwrap stays the sandbox's pid 1, and its
 * /proc/1/environ is readable from inside, so nothing of the worker's environment goes there.
 */
const LAUNCH_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const KILL_GRACE_MS = 2000;

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

export interface SandboxProcess {
  child: ChildProcess & { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream };
  /** SIGKILL to the whole group at once. */
  killNow(): void;
  /** SIGTERM to the whole group, then SIGKILL after a grace period. */
  stop(): void;
}

/**
 * Starts the sandbox's argv in its own process group, so a timeout or a cancel kills bwrap, and
 * with it (--die-with-parent) the sandbox's pid 1 and so every process in the sandbox's pid namespace.
 */
export function spawnSandbox(argv: string[], options: { stdin?: boolean } = {}): SandboxProcess {
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: '/',
    env: { PATH: LAUNCH_PATH },
    detached: true,
    // An ACP run reads the answers to its agent's questions there; others read nothing.
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  return {
    child: child as SandboxProcess['child'],
    killNow: () => killGroup('SIGKILL'),
    stop: () => {
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
    },
  };
}

/** The sandbox's exit code once every byte of its output is read; a shell's 128 + n for a signal. */
export async function sandboxExitCode(child: ChildProcess, command: string): Promise<number> {
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.once('error', reject);
      // 'close', not 'exit': every byte of both pipes has been read by then.
      child.once('close', (code, signal) => resolve({ code, signal }));
    },
  ).catch((error: NodeJS.ErrnoException) => {
    throw ApplicationFailure.nonRetryable(
      `the sandbox could not start (${command}): ${error.message}`,
      TPU_FAILURE_TYPES.startFailed,
      { code: error.code },
    );
  });
  return exit.code ?? 128 + (SIGNAL_NUMBERS[exit.signal ?? 'SIGKILL'] ?? 9);
}

/** Runs a short command to its end: its exit code and what it printed. */
export function runToEnd(
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
