import { ApplicationFailure } from '@temporalio/common';
import { branchNameProblem } from '../contracts/git-inputs.js';
import type { ReviewView } from '../contracts/review.js';
import { TevisError } from '../contracts/errors.js';
import { workspaceRepository } from './git-repository.js';
import { runGit } from './git.js';
import { diffRange } from './git-diff.js';
import { mergeNanocycle, type MergeOutcome } from './nanocycle-git.js';

/**
 * Git for review sessions. The workspace is a clone of the reviewed branch; its base (the
 * project's default branch) is there as `origin/<base>` from the clone, or is fetched.
 */

const MAX_PATCH_BYTES = 2 * 1024 * 1024;
const MAX_COMMITS = 500;

function assertBranch(branch: string, what: string): void {
  const problem = branchNameProblem(branch);
  if (problem) throw new TevisError('validation', `${what} branch name ${problem}`);
}

const verified = (workspace: string, ref: string) =>
  runGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
    repo: workspaceRepository(workspace),
  }).then(
    (sha) => sha.trim(),
    () => null,
  );

/** The base as the remote has it (fetched when the clone did not bring it). */
async function baseRef(workspace: string, base: string): Promise<string> {
  const remote = `refs/remotes/origin/${base}`;
  if (await verified(workspace, remote)) return remote;
  await runGit(['fetch', '--quiet', 'origin', `+refs/heads/${base}:${remote}`], {
    repo: workspaceRepository(workspace),
    remote: true,
  }).catch(() => '');
  if (await verified(workspace, remote)) return remote;
  throw new TevisError(
    'not-found',
    `the base branch "${base}" is not on the project's remote; set the project's default branch (\`tevis project update P --branch B\`)`,
  );
}

export type ReviewDiff = Omit<ReviewView, 'review' | 'status'>;

/** What the reviewed branch brings to its base: commits, files and patch (three-dot, from the merge base). */
export async function reviewDiff(input: {
  workspace: string;
  base: string;
  branch: string;
  mergeCommit?: string | null;
}): Promise<ReviewDiff> {
  assertBranch(input.base, 'base');
  assertBranch(input.branch, 'reviewed');
  const baseSide = await baseRef(input.workspace, input.base);
  const head = await verified(input.workspace, `refs/heads/${input.branch}`);
  if (!head) throw new TevisError('not-found', `the workspace has no branch "${input.branch}"`);
  const baseCommit = (await verified(input.workspace, baseSide))!;
  const mergeBase =
    (
      await runGit(['merge-base', baseSide, head], { repo: workspaceRepository(input.workspace) }).catch(
        () => '',
      )
    ).trim() || null;
  // Once merged (and pushed) the branch is inside its base: what the merge brought in is the diff.
  // A branch that was in its base already is "merged" at the base's head, which is no merge of
  // this branch: nothing came in, and the branch against its base says so.
  const merge =
    input.mergeCommit && (await verified(input.workspace, `${input.mergeCommit}^2`)) === head
      ? input.mergeCommit
      : null;
  const [from, to] = merge ? [`${merge}^1`, `${merge}^2`] : [baseSide, head];
  const [log, diff] = await Promise.all([
    runGit(['log', `--max-count=${MAX_COMMITS + 1}`, '--format=%H%x1f%s%x1f%an%x1e', `${from}..${to}`], {
      repo: workspaceRepository(input.workspace),
    }),
    diffRange(input.workspace, `${from}...${to}`, MAX_PATCH_BYTES),
  ]);
  const all = log
    .split('\x1e')
    .map((record) => record.trim())
    .filter(Boolean)
    .map((record) => {
      const [sha = '', subject = '', author = ''] = record.split('\x1f');
      return { sha, subject, author };
    });
  const commits = all.slice(0, MAX_COMMITS);
  return {
    base: input.base,
    branch: input.branch,
    baseCommit,
    headCommit: head,
    mergeBase,
    commits,
    commitsTruncated: all.length > MAX_COMMITS,
    files: diff.files,
    patch: diff.patch,
    truncated: diff.truncated,
  };
}

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
  assertBranch(input.base, 'base');
  assertBranch(input.branch, 'reviewed');
  // Merge into the base as the remote has it now, so that the push that may follow is a fast-forward.
  await runGit(
    ['fetch', '--quiet', 'origin', `+refs/heads/${input.base}:refs/remotes/origin/${input.base}`],
    { repo: workspaceRepository(input.workspace), remote: true, timeoutMs: 2 * 60_000 },
  ).catch(() => '');
  const baseSide = await baseRef(input.workspace, input.base);
  if (await verified(input.workspace, `refs/heads/${input.base}`)) {
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
