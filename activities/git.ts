import { execFile, spawn } from 'node:child_process';
import { redactCredentials } from '../contracts/git-inputs.js';

/**
 * Only these transports, for clones and any submodule they pull: no ext::, no fd::, whatever the
 * repository's own configuration says.
 */
const GIT_ENV: NodeJS.ProcessEnv = {
  GIT_ALLOW_PROTOCOL: 'file:git:http:https:ssh',
  // A worker has no terminal: a missing credential must fail, not hang on a prompt.
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  LC_ALL: 'C',
};

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args[0]} failed (exit ${exitCode}): ${redactCredentials(stderr.trim()).slice(-2000)}`);
    this.name = 'GitError';
  }
}

export interface GitOptions {
  cwd?: string;
  /** Called with each chunk of stderr, e.g. clone progress. */
  onStderr?: (chunk: string) => void;
  timeoutMs?: number;
}

export function runGit(args: string[], options: GitOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd: options.cwd, env: { ...process.env, ...GIT_ENV }, maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 10 * 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new GitError(args, typeof error.code === 'number' ? error.code : null, String(stderr)));
        else resolve(String(stdout));
      },
    );
    if (options.onStderr) child.stderr?.on('data', (chunk: Buffer) => options.onStderr!(chunk.toString()));
  });
}

/**
 * Like `runGit`, but keeps at most `maxBytes` of what git writes: once there is more, git is
 * stopped and the text is cut at the last whole line within the limit. For output that can be
 * as big as a repository (a patch), where `runGit` would fail at its buffer's end.
 */
export function runGitCapped(args: string[], options: GitOptions & { maxBytes: number }): Promise<{ text: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: options.cwd, env: { ...process.env, ...GIT_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10 * 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (truncated) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size > options.maxBytes) {
        truncated = true;
        child.kill();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-64 * 1024);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (!truncated && code !== 0) return reject(new GitError(args, code, stderr));
      let bytes = Buffer.concat(chunks);
      if (truncated) {
        bytes = bytes.subarray(0, options.maxBytes);
        const lastNewline = bytes.lastIndexOf(0x0a);
        if (lastNewline >= 0) bytes = bytes.subarray(0, lastNewline + 1);
      }
      resolve({ text: bytes.toString('utf8'), truncated });
    });
  });
}

export async function isGitWorkTree(path: string): Promise<boolean> {
  try {
    return (await runGit(['rev-parse', '--is-inside-work-tree'], { cwd: path })).trim() === 'true';
  } catch {
    return false;
  }
}
