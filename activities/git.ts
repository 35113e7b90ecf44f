import { execFile } from 'node:child_process';
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

export async function isGitWorkTree(path: string): Promise<boolean> {
  try {
    return (await runGit(['rev-parse', '--is-inside-work-tree'], { cwd: path })).trim() === 'true';
  } catch {
    return false;
  }
}
