import { execFile, spawn } from 'node:child_process';
import { redactCredentials } from '../contracts/git-inputs.js';
import { gitEnvironment, hardeningArgs } from './environment.js';
import type { GitRepository } from './repository.js';

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
  /**
   * The repository, named explicitly: git is given its git directory and work tree and never
   * looks for a `.git` in the tree, which a TPU may have replaced. Every call on a workspace or
   * a worktree names one; only a clone (which makes the repository) goes without.
   */
  repo?: GitRepository;
  /** The call talks to a remote (clone, fetch, push): its environment may carry ssh's agent. */
  remote?: boolean;
  cwd?: string;
  /** Called with each chunk of stderr, e.g. clone progress. */
  onStderr?: (chunk: string) => void;
  timeoutMs?: number;
  /** Stops git when it aborts (an activity's cancellation: a worker shutting down). */
  signal?: AbortSignal;
}

/** The full argument list, the working directory and the environment of one git call. */
export function gitInvocation(
  args: string[],
  options: GitOptions,
): { argv: string[]; cwd: string | undefined; env: Record<string, string> } {
  const repo = options.repo;
  // Only a clone may go without: any other git would look for a repository in its directory.
  if (!repo && args[0] !== 'clone')
    throw new Error(`git ${args[0]} must name its repository (GitOptions.repo)`);
  const location = repo
    ? [`--git-dir=${repo.gitDir}`, ...(repo.workTree ? [`--work-tree=${repo.workTree}`] : [])]
    : [];
  return {
    argv: [...hardeningArgs(), ...location, ...args],
    cwd: options.cwd ?? repo?.workTree ?? repo?.gitDir,
    env: gitEnvironment({ remote: options.remote ?? false }),
  };
}

export function runGit(args: string[], options: GitOptions = {}): Promise<string> {
  const { argv, cwd, env } = gitInvocation(args, options);
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      argv,
      {
        cwd,
        env,
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs ?? 10 * 60_000,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout, stderr) => {
        if (error)
          reject(new GitError(args, typeof error.code === 'number' ? error.code : null, String(stderr)));
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
export function runGitCapped(
  args: string[],
  options: GitOptions & { maxBytes: number },
): Promise<{ text: string; truncated: boolean }> {
  const { argv, cwd, env } = gitInvocation(args, options);
  return new Promise((resolve, reject) => {
    const child = spawn('git', argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
