import { ApplicationFailure } from '@temporalio/common';
import { nanocycleBranchProblem } from '../contracts/git-inputs.js';
import { workspaceRepository } from '../git/repository.js';
import { GitError, runGit } from '../git/run-git.js';

export interface PushNanocycleBranchInput {
  workspace: string;
  /** `feat/nc-NNN-name`: nothing else is pushed here. */
  branch: string;
  /** The session branch: never the target of this push, whatever the nanocycle is called. */
  base: string;
}

export interface PushOutcome {
  pushed: boolean;
  commit: string;
  error: string | null;
}

/**
 * Sends a merged nanocycle's branch to the project's remote under its own name, so a review
 * session (or a person) can open it there. Never forced: a remote branch of that name with other
 * work refuses it. Any refusal — the remote moved on, no access, no network — is an answer, not
 * a failure: the nanocycle is merged either way, and the timeline says what did not reach the
 * remote.
 */
export async function pushNanocycleBranch(input: PushNanocycleBranchInput): Promise<PushOutcome> {
  const problem = nanocycleBranchProblem(input.branch);
  if (problem || input.branch === input.base) {
    throw ApplicationFailure.nonRetryable(
      `refusing to push ${JSON.stringify(input.branch)}: the branch name ${problem ?? 'is the session branch'}`,
      'validation',
    );
  }
  const repo = workspaceRepository(input.workspace);
  const commit = (
    await runGit(['rev-parse', '--verify', `refs/heads/${input.branch}^{commit}`], { repo })
  ).trim();
  try {
    await runGit(
      [
        'push',
        '--porcelain',
        '--no-verify',
        'origin',
        `refs/heads/${input.branch}:refs/heads/${input.branch}`,
      ],
      { repo, remote: true, timeoutMs: 5 * 60_000 },
    );
    return { pushed: true, commit, error: null };
  } catch (error) {
    if (error instanceof GitError) return { pushed: false, commit, error: error.message };
    throw error;
  }
}
