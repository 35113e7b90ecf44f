import { constants } from 'node:fs';
import { lstat, open, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A nanocycle worktree's `.git` is a one-line file (`gitdir: <workspace>/.git/worktrees/<name>`)
 * inside the tree a TPU may rewrite. Git is never pointed at it (see repository.ts), but
 * `git worktree prune` and `list` read it, so after a run it is put back to what git wrote:
 * whatever stands there instead (a directory of hooks, a link, a gitfile naming another
 * repository) is removed without following links, and the file is written anew.
 */

export type GitfileState = 'intact' | 'restored';

export function gitfileContent(gitDir: string): string {
  return `gitdir: ${gitDir}\n`;
}

async function readNoFollow(path: string, maxBytes: number): Promise<string | null> {
  // O_NONBLOCK: a FIFO planted under the name must not hang the worker.
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    () => null,
  );
  if (!handle) return null;
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > maxBytes) return null;
    const buffer = Buffer.alloc(maxBytes);
    const { bytesRead } = await handle.read(buffer, 0, maxBytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

export async function restoreWorktreeGitfile(worktree: string, gitDir: string): Promise<GitfileState> {
  const file = join(worktree, '.git');
  const expected = gitfileContent(gitDir);
  const info = await lstat(file).catch(() => null);
  if (info?.isFile() && (await readNoFollow(file, 4096)) === expected) return 'intact';
  // rm does not follow links: a link is removed itself, a directory with everything in it.
  await rm(file, { recursive: true, force: true });
  const handle = await open(
    file,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o644,
  );
  try {
    await handle.writeFile(expected);
  } finally {
    await handle.close();
  }
  return 'restored';
}
