import { ApplicationFailure } from '@temporalio/common';
import { TevisError } from '../contracts/errors.js';
import { assertReviewBranch, baseRef, verifiedCommit } from '../git/review-branches.js';
import { workspaceRepository } from '../git/repository.js';
import { runGit } from '../git/run-git.js';
import { mergeNanocycle, type MergeOutcome } from './nanocycle-git.js';

/**
 * Git for review sessions that changes the workspace: the merge of an approved branch. What the
 * review shows is read in git/review-diff.ts.
 */

/**
 * `git merge --no-ff` of the reviewed branch into its base, in the workspace (which then has the
 * base checked out). Safe to repeat: a retry finds the branch merged already. A conflict is
 * aborted and leaves both branches as they were.
 */
export async function mergeReviewBranch(input: {
  workspace: string;
  base: string;
  branch: string;
  message: string;
}): Promise<MergeOutcome> {
  try {
    return await mergeInWorkspace(input);
  } catch (error) {
    // A bad name or a base the remote does not have is not fixed by trying again.
    if (error instanceof TevisError) throw ApplicationFailure.nonRetryable(error.message, error.type);
    throw error;
  }
}

async function mergeInWorkspace(input: {
  workspace: string;
  base: string;
  branch: string;
  message: string;
}): Promise<MergeOutcome> {
  assertReviewBranch(input.base, 'base');
  assertReviewBranch(input.branch, 'reviewed');
  // Merge into the base as the remote has it now, so that the push that may follow is a fast-forward.
  await runGit(
    ['fetch', '--quiet', 'origin', `+refs/heads/${input.base}:refs/remotes/origin/${input.base}`],
    { repo: workspaceRepository(input.workspace), remote: true, timeoutMs: 2 * 60_000 },
  ).catch(() => '');
  const baseSide = await baseRef(input.workspace, input.base);
  if (await verifiedCommit(input.workspace, `refs/heads/${input.base}`)) {
    await runGit(['checkout', '--quiet', input.base], { repo: workspaceRepository(input.workspace) });
    // Behind the remote (an earlier attempt conflicted, the remote moved on since): catch up.
    // Ahead of it (merged already, not pushed) or apart from it: left as it is.
    await runGit(['merge', '--ff-only', '--quiet', baseSide], {
      repo: workspaceRepository(input.workspace),
    }).catch(() => '');
  } else {
    await runGit(['checkout', '--quiet', '-b', input.base, '--track', baseSide], {
      repo: workspaceRepository(input.workspace),
    });
  }
  return mergeNanocycle({ workspace: input.workspace, branch: input.branch, message: input.message });
}
