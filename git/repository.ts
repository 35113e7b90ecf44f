import { lstatSync } from 'node:fs';
import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';

/**
 * Where git finds a repository Tevis made, named explicitly on every call (`--git-dir`,
 * `--work-tree`) instead of discovered from the tree. A worktree's `.git` is a file a TPU can
 * rewrite; the session workspace's `.git` directory and the `worktrees/<name>` directories in it
 * are out of every TPU's reach, so they are what git is pointed at.
 */
export interface GitRepository {
  gitDir: string;
  /** Null for calls that need no checkout. */
  workTree: string | null;
}

/** The session workspace's own `.git` must be a real directory, not a link or a gitfile. */
export function hasWorkspaceRepository(workspace: string): boolean {
  try {
    return lstatSync(join(workspace, '.git')).isDirectory();
  } catch {
    return false;
  }
}

export function workspaceRepository(workspace: string): GitRepository {
  if (!hasWorkspaceRepository(workspace)) {
    throw ApplicationFailure.nonRetryable(
      `the session workspace ${workspace} has no .git directory of its own; recover the session to re-clone it`,
      'workspace-repository-missing',
    );
  }
  return { gitDir: join(resolve(workspace), '.git'), workTree: resolve(workspace) };
}

/**
 * The git directory `git worktree add` made for `worktree` in the workspace's repository: the
 * `worktrees/<name>` whose `gitdir` file names `<worktree>/.git`. Read from the workspace side
 * only; null when the workspace has no such worktree.
 */
export async function findWorktreeGitDir(workspace: string, worktree: string): Promise<string | null> {
  const common = workspaceRepository(workspace).gitDir;
  const wanted = new Set([join(resolve(worktree), '.git')]);
  const real = await realpath(worktree).catch(() => null);
  if (real) wanted.add(join(real, '.git'));
  const root = join(common, 'worktrees');
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const dir = join(root, name);
    if (!(await lstat(dir).catch(() => null))?.isDirectory()) continue;
    const gitdir = (await readFile(join(dir, 'gitdir'), 'utf8').catch(() => '')).trim();
    if (wanted.has(gitdir)) return dir;
  }
  return null;
}

/** The nanocycle worktree as git must see it: Tevis's git directory for it, the tree as work tree. */
export async function worktreeRepository(workspace: string, worktree: string): Promise<GitRepository> {
  const gitDir = await findWorktreeGitDir(workspace, worktree);
  if (!gitDir) {
    throw ApplicationFailure.nonRetryable(
      `${worktree} is not a worktree of the session workspace ${workspace}`,
      'worktree-unknown',
    );
  }
  return { gitDir, workTree: resolve(worktree) };
}
