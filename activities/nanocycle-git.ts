import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { branchNameProblem } from '../contracts/git-inputs.js';
import { diffRange } from './git-diff.js';
import { GitError, isGitWorkTree, runGit } from './git.js';

/**
 * Git for nanocycles: each gets its own branch and its own worktree beside the session
 * workspace, so nanocycles running at once never share a working tree; merges go into the
 * session workspace one at a time. Every step is safe to repeat after a crash.
 */

const AUTHOR = ['-c', 'user.name=Tevis TPU', '-c', 'user.email=tpu@tevis.invalid'];

export function worktreePath(home: string, sessionId: string, nanocycleId: string): string {
  return join(home, 'worktrees', sessionId, nanocycleId);
}

function assertBranch(branch: string): void {
  const problem = branchNameProblem(branch);
  if (problem) throw new Error(`branch name ${problem}`);
}

async function branchExists(workspace: string, branch: string): Promise<boolean> {
  return runGit(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: workspace }).then(
    () => true,
    () => false,
  );
}

export async function createNanocycleWorktree(input: { workspace: string; path: string; branch: string; base: string }): Promise<{ path: string; baseCommit: string }> {
  assertBranch(input.branch);
  assertBranch(input.base);
  if (existsSync(input.path) && (await isGitWorkTree(input.path))) {
    const baseCommit = (await runGit(['merge-base', input.base, 'HEAD'], { cwd: input.path })).trim();
    return { path: input.path, baseCommit };
  }
  await mkdir(dirname(input.path), { recursive: true });
  await runGit(['worktree', 'prune'], { cwd: input.workspace });
  const args = (await branchExists(input.workspace, input.branch))
    ? ['worktree', 'add', '--', input.path, input.branch]
    : ['worktree', 'add', '-b', input.branch, '--', input.path, input.base];
  await runGit(args, { cwd: input.workspace });
  const baseCommit = (await runGit(['rev-parse', input.base], { cwd: input.workspace })).trim();
  return { path: input.path, baseCommit };
}

/** Commits everything the TPU changed; null when it changed nothing. */
export async function commitNanocycle(input: { path: string; message: string }): Promise<{ commit: string | null; files: string[] }> {
  await runGit(['add', '-A'], { cwd: input.path });
  const staged = (await runGit(['diff', '--cached', '--name-only', '-z'], { cwd: input.path })).split('\0').filter(Boolean);
  if (staged.length === 0) return { commit: null, files: [] };
  await runGit([...AUTHOR, 'commit', '--no-verify', '-m', input.message], { cwd: input.path });
  const commit = (await runGit(['rev-parse', 'HEAD'], { cwd: input.path })).trim();
  return { commit, files: staged };
}

export interface NanocycleDiff {
  files: { path: string; additions: number; deletions: number }[];
  patch: string;
}

/** What the nanocycle's branch changes against the session branch it came from. */
export async function diffNanocycle(input: { workspace: string; base: string; branch: string; maxPatchBytes?: number }): Promise<NanocycleDiff> {
  assertBranch(input.branch);
  assertBranch(input.base);
  return nanocycleDiff(input.workspace, `${input.base}...${input.branch}`, input.maxPatchBytes);
}

/**
 * What a merge brought in: its second parent against where it forked from the first. Once a
 * nanocycle is merged its branch is part of the session branch and `base...branch` is empty.
 */
export async function diffMerge(input: { workspace: string; commit: string; maxPatchBytes?: number }): Promise<NanocycleDiff> {
  if (!/^[0-9a-f]{40}$/.test(input.commit)) throw new Error(`not a commit id: ${input.commit}`);
  return nanocycleDiff(input.workspace, `${input.commit}^1...${input.commit}^2`, input.maxPatchBytes);
}

/** The nanocycle API's diff: a patch that was cut says so in its last line. */
async function nanocycleDiff(workspace: string, range: string, maxPatchBytes?: number): Promise<NanocycleDiff> {
  const diff = await diffRange(workspace, range, maxPatchBytes);
  return { files: diff.files, patch: diff.truncated ? `${diff.patch}\n… (truncated)\n` : diff.patch };
}

export type MergeOutcome = { merged: true; commit: string; alreadyMerged: boolean } | { merged: false; conflicts: string[] };

/**
 * `git merge --no-ff` of the nanocycle branch into the session workspace. A conflict is aborted,
 * leaving the workspace and the branch as they were, and reported with the conflicting files.
 */
export async function mergeNanocycle(input: { workspace: string; branch: string; message: string }): Promise<MergeOutcome> {
  assertBranch(input.branch);
  const alreadyMerged = await runGit(['merge-base', '--is-ancestor', input.branch, 'HEAD'], { cwd: input.workspace }).then(
    () => true,
    () => false,
  );
  if (alreadyMerged) {
    return { merged: true, commit: (await runGit(['rev-parse', 'HEAD'], { cwd: input.workspace })).trim(), alreadyMerged: true };
  }
  try {
    await runGit([...AUTHOR, 'merge', '--no-ff', '--no-edit', '-m', input.message, input.branch], { cwd: input.workspace });
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    const conflicts = (await runGit(['diff', '--name-only', '--diff-filter=U', '-z'], { cwd: input.workspace }).catch(() => ''))
      .split('\0')
      .filter(Boolean);
    await runGit(['merge', '--abort'], { cwd: input.workspace }).catch(() => '');
    if (conflicts.length === 0) throw error;
    return { merged: false, conflicts };
  }
  return { merged: true, commit: (await runGit(['rev-parse', 'HEAD'], { cwd: input.workspace })).trim(), alreadyMerged: false };
}

export async function removeNanocycleWorktree(input: { workspace: string; path: string }): Promise<void> {
  await runGit(['worktree', 'remove', '--force', '--', input.path], { cwd: input.workspace }).catch(() => '');
  await runGit(['worktree', 'prune'], { cwd: input.workspace }).catch(() => '');
}
