import { branchNameProblem } from '../contracts/git-inputs.js';
import { workspaceRepository } from '../git/repository.js';
import { GitError, runGit } from '../git/run-git.js';

/**
 * Pushes the session branch to the project's remote (push policy `on-merge` or `on-end`). A
 * rejected push (the remote moved on) is reported, not retried: a person decides what to do.
 */
export async function pushSessionBranch(input: {
  workspace: string;
  branch: string;
}): Promise<{ pushed: boolean; commit: string; error: string | null }> {
  const problem = branchNameProblem(input.branch);
  if (problem) throw new Error(`branch name ${problem}`);
  const repo = workspaceRepository(input.workspace);
  const commit = (await runGit(['rev-parse', 'HEAD'], { repo })).trim();
  try {
    await runGit(['push', '--porcelain', 'origin', `HEAD:refs/heads/${input.branch}`], {
      repo,
      remote: true,
    });
    return { pushed: true, commit, error: null };
  } catch (error) {
    if (error instanceof GitError && /rejected|non-fast-forward|fetch first/i.test(error.stderr))
      return { pushed: false, commit, error: error.message };
    throw error;
  }
}
