import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { workspacePath } from './clone-workspace.js';
import { assertBranch } from '../git/branch-name.js';
import {
  findWorktreeGitDir,
  workspaceRepository,
  worktreeRepository,
  type GitRepository,
} from '../git/repository.js';
import { GitError, runGit } from '../git/run-git.js';
import { findNestedRepositories } from '../git/nested-repositories.js';
import { restoreWorktreeGitfile, type GitfileState } from '../git/worktree-gitfile.js';

/**
 * Git for nanocycles: each gets its own branch and its own worktree beside the session
 * workspace, so nanocycles running at once never share a working tree; merges go into the
 * session workspace one at a time. Every step is safe to repeat after a crash.
 *
 * A worktree is where a TPU ran, so nothing in it is trusted: git is pointed at the git
 * directory Tevis made for it in the workspace (git/repository.ts), never at the tree's `.git`.
 */

const AUTHOR = ['-c', 'user.name=Tevis TPU', '-c', 'user.email=tpu@tevis.invalid'];

export function worktreePath(home: string, sessionId: string, nanocycleId: string): string {
  return join(resolve(home), 'worktrees', sessionId, nanocycleId);
}

/**
 * The session workspace a nanocycle worktree belongs to, from where the worktree is: only a path
 * Tevis itself would have made (`<home>/worktrees/<session>/<nanocycle>`) is accepted.
 */
export function workspaceOfWorktree(home: string, path: string): string {
  const nanocycleId = basename(path);
  const sessionId = basename(dirname(path));
  if (!nanocycleId || !sessionId || worktreePath(home, sessionId, nanocycleId) !== resolve(path)) {
    throw ApplicationFailure.nonRetryable(
      `${path} is not a nanocycle worktree of this worker (${join(home, 'worktrees')})`,
      'worktree-unknown',
    );
  }
  return workspacePath(home, sessionId);
}

async function branchExists(repo: GitRepository, branch: string): Promise<boolean> {
  return runGit(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { repo }).then(
    () => true,
    () => false,
  );
}

export async function createNanocycleWorktree(input: {
  workspace: string;
  path: string;
  branch: string;
  base: string;
}): Promise<{ path: string; baseCommit: string }> {
  assertBranch(input.branch);
  assertBranch(input.base);
  const workspace = workspaceRepository(input.workspace);
  const existing = existsSync(input.path) ? await findWorktreeGitDir(input.workspace, input.path) : null;
  if (existing) {
    // A retry, or a session brought back: the tree may have been run in already.
    await restoreWorktreeGitfile(input.path, existing);
    const baseCommit = (
      await runGit(['merge-base', input.base, 'HEAD'], { repo: { gitDir: existing, workTree: input.path } })
    ).trim();
    return { path: input.path, baseCommit };
  }
  await mkdir(dirname(input.path), { recursive: true });
  await runGit(['worktree', 'prune'], { repo: workspace });
  const args = (await branchExists(workspace, input.branch))
    ? ['worktree', 'add', '--', input.path, input.branch]
    : ['worktree', 'add', '-b', input.branch, '--', input.path, input.base];
  await runGit(args, { repo: workspace });
  const baseCommit = (await runGit(['rev-parse', input.base], { repo: workspace })).trim();
  return { path: input.path, baseCommit };
}

export interface NanocycleCommit {
  commit: string | null;
  files: string[];
  /** Whether the worktree's `.git` had been changed by the run and was put back. */
  gitfile: GitfileState;
}

/**
 * Commits everything the TPU changed; null when it changed nothing. The tree's `.git` is put
 * back first, a tree holding repositories of its own is refused, and the commit is checked to be
 * the head of the nanocycle's branch in the session repository before anyone records it.
 */
export async function commitNanocycle(input: {
  workspace: string;
  path: string;
  message: string;
}): Promise<NanocycleCommit> {
  const repo = await worktreeRepository(input.workspace, input.path);
  const gitfile = await restoreWorktreeGitfile(input.path, repo.gitDir);
  const nested = await findNestedRepositories(input.path);
  if (nested.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `the run left git repositories inside the worktree (${nested.join(', ')}); Tevis does not commit a repository inside a repository, so nothing was committed. Remove them in the run, or add them as plain files`,
      'worktree-nested-repository',
      { paths: nested },
    );
  }
  await runGit(['add', '-A'], { repo });
  const staged = (await runGit(['diff', '--cached', '--name-only', '-z'], { repo }))
    .split('\0')
    .filter(Boolean);
  if (staged.length === 0) {
    // A retry after the commit was made (its worker lost before it could answer): the commit is there.
    const made = await commitMadeBefore(repo, input.message);
    if (made) {
      await assertBranchHead(input.workspace, repo, made.commit);
      return { ...made, gitfile };
    }
    return { commit: null, files: [], gitfile };
  }
  await runGit([...AUTHOR, 'commit', '--no-verify', '-m', input.message], { repo });
  const commit = (await runGit(['rev-parse', 'HEAD'], { repo })).trim();
  await assertBranchHead(input.workspace, repo, commit);
  return { commit, files: staged, gitfile };
}

/**
 * The head commit when Tevis made it with this message (author and subject are Tevis's own; a TPU
 * cannot reach the git directory to commit), with the files it changed; else null.
 */
async function commitMadeBefore(
  repo: GitRepository,
  message: string,
): Promise<{ commit: string; files: string[] } | null> {
  const head = await runGit(['log', '-1', '--format=%H%x00%an%x00%s', 'HEAD'], { repo }).catch(() => '');
  const [commit, author, subject] = head.trim().split('\0');
  if (!commit || author !== 'Tevis TPU' || subject !== message) return null;
  const files = (await runGit(['diff-tree', '--no-commit-id', '--name-only', '-r', '-z', commit], { repo }))
    .split('\0')
    .filter(Boolean);
  return { commit, files };
}

/** The commit is what the worktree's branch names in the session repository: the record can say so. */
async function assertBranchHead(workspace: string, repo: GitRepository, commit: string): Promise<void> {
  const ref = (await runGit(['symbolic-ref', '--quiet', 'HEAD'], { repo }).catch(() => '')).trim();
  const head = ref
    ? (
        await runGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
          repo: workspaceRepository(workspace),
        }).catch(() => '')
      ).trim()
    : '';
  if (!/^[0-9a-f]{40}$/.test(commit) || head !== commit) {
    throw ApplicationFailure.nonRetryable(
      `the nanocycle's commit ${commit || '(none)'} is not the head of its branch ${ref || '(detached)'} in the session repository; nothing is recorded`,
      'nanocycle-commit-missing',
    );
  }
}

export type MergeOutcome =
  | { merged: true; commit: string; alreadyMerged: boolean }
  | { merged: false; conflicts: string[] };

/**
 * `git merge --no-ff` of the nanocycle branch into the session workspace. A conflict is aborted,
 * leaving the workspace and the branch as they were, and reported with the conflicting files.
 */
export async function mergeNanocycle(input: {
  workspace: string;
  branch: string;
  message: string;
}): Promise<MergeOutcome> {
  assertBranch(input.branch);
  const repo = workspaceRepository(input.workspace);
  // `--is-ancestor` answers 1 for "not merged yet"; any other failure may be a branch that is not
  // there at all, which only then costs a look of its own.
  const ancestry = await runGit(['merge-base', '--is-ancestor', input.branch, 'HEAD'], { repo }).then(
    () => true,
    (error: unknown) => error,
  );
  const alreadyMerged = ancestry === true;
  // A branch made on a worker host that was lost is not in the workspace restored elsewhere:
  // retrying cannot bring it back.
  if (
    !alreadyMerged &&
    !(ancestry instanceof GitError && ancestry.exitCode === 1) &&
    !(await runGit(['rev-parse', '--verify', '--quiet', `${input.branch}^{commit}`], { repo }).then(
      () => true,
      () => false,
    ))
  )
    throw ApplicationFailure.nonRetryable(
      `branch ${input.branch} is not in the workspace`,
      'nanocycle-branch-missing',
    );
  if (alreadyMerged) {
    return {
      merged: true,
      commit: (await runGit(['rev-parse', 'HEAD'], { repo })).trim(),
      alreadyMerged: true,
    };
  }
  // Merges run one at a time: a merge in progress was left by a worker lost in the middle of it.
  if (existsSync(join(repo.gitDir, 'MERGE_HEAD')))
    await runGit(['merge', '--abort'], { repo }).catch(() => '');
  try {
    await runGit([...AUTHOR, 'merge', '--no-ff', '--no-edit', '-m', input.message, input.branch], { repo });
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    const conflicts = (
      await runGit(['diff', '--name-only', '--diff-filter=U', '-z'], { repo }).catch(() => '')
    )
      .split('\0')
      .filter(Boolean);
    await runGit(['merge', '--abort'], { repo }).catch(() => '');
    if (conflicts.length === 0) throw error;
    return { merged: false, conflicts };
  }
  return {
    merged: true,
    commit: (await runGit(['rev-parse', 'HEAD'], { repo })).trim(),
    alreadyMerged: false,
  };
}

export async function removeNanocycleWorktree(input: { workspace: string; path: string }): Promise<void> {
  const repo = workspaceRepository(input.workspace);
  // git checks the tree's `.git` before removing it: put back first whatever a run left there.
  const gitDir = existsSync(input.path) ? await findWorktreeGitDir(input.workspace, input.path) : null;
  if (gitDir) await restoreWorktreeGitfile(input.path, gitDir);
  await runGit(['worktree', 'remove', '--force', '--', input.path], { repo }).catch(() => '');
  await runGit(['worktree', 'prune'], { repo }).catch(() => '');
}
