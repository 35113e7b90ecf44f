import type { ProcessSet } from './processes.js';
import { TEVIS_BIN } from './repo-paths.js';

export interface CliRun {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (every command prints one document under --json), or undefined. */
  json: any;
}

/**
 * Runs `node bin/tevis.js ARGS` (or another of the package's bins) to its end and returns what it
 * printed and its exit code. A run that hangs is killed after `timeoutMs` (a hang, not a result)
 * and reported as such.
 */
export async function runCli(
  processes: ProcessSet,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 180_000,
  bin = TEVIS_BIN,
): Promise<CliRun> {
  const proc = processes.spawn(`tevis ${args.join(' ')}`, process.execPath, [bin, ...args], { env });
  let stdout = '';
  let stderr = '';
  proc.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  proc.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = AbortSignal.timeout(timeoutMs);
  const exit = await Promise.race([
    proc.exited,
    new Promise<null>((resolve) => timer.addEventListener('abort', () => resolve(null))),
  ]);
  if (!exit) {
    await proc.kill();
    throw new Error(
      `tevis ${args.join(' ')} did not finish within ${timeoutMs / 1000} s; stdout:\n${stdout}\nstderr:\n${stderr}`,
    );
  }
  // 'exit' can come before the last output; 'close' means the pipes are drained.
  await proc.closed;
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { args, code: exit.code, signal: exit.signal, stdout, stderr, json };
}

export function describeRun(run: CliRun): string {
  return `tevis ${run.args.join(' ')} → exit ${run.code}${run.signal ? ` (${run.signal})` : ''}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}
