import { workspaceRepository } from './repository.js';
import { runGit, runGitCapped } from './run-git.js';

/**
 * A diff between two points of a repository, as the API shows it: the files with their line
 * counts and the patch, the patch capped so a huge change cannot fill the worker's memory or an
 * HTTP answer. Shared by nanocycles (their branch against the session branch) and review
 * sessions (a branch against the project's default branch).
 */

export interface DiffFile {
  path: string;
  additions: number;
  deletions: number;
}

export interface GitDiff {
  files: DiffFile[];
  patch: string;
  /** The patch was longer than the cap; `patch` ends at the last whole line within it. */
  truncated: boolean;
}

export const DEFAULT_MAX_PATCH_BYTES = 1024 * 1024;

/** `git diff --numstat -z` output as files; a binary file counts 0 lines either way. */
export function parseNumstat(numstat: string): DiffFile[] {
  const files: DiffFile[] = [];
  for (const record of numstat.split('\0')) {
    const match = /^(-|\d+)\t(-|\d+)\t(.+)$/.exec(record);
    if (match)
      files.push({ path: match[3]!, additions: Number(match[1]) || 0, deletions: Number(match[2]) || 0 });
  }
  return files;
}

/**
 * `git diff <range>` in `workspace`: `a...b` is what b brings since it forked from a (against
 * their merge base), `a..b` or `a b` compares the two ends. Renames show as delete + add.
 */
export async function diffRange(
  workspace: string,
  range: string,
  maxPatchBytes = DEFAULT_MAX_PATCH_BYTES,
): Promise<GitDiff> {
  const repo = workspaceRepository(workspace);
  // No external diff program and no textconv filter: the patch is git's own, whatever config says.
  const [numstat, patch] = await Promise.all([
    runGit(['diff', '--no-ext-diff', '--no-textconv', '--numstat', '-z', '--no-renames', range, '--'], {
      repo,
    }),
    runGitCapped(['diff', '--no-ext-diff', '--no-textconv', '--no-renames', range, '--'], {
      repo,
      maxBytes: maxPatchBytes,
    }),
  ]);
  return { files: parseNumstat(numstat), patch: patch.text, truncated: patch.truncated };
}
