import type { ReviewView } from '../contracts/review.js';
import { TevisError } from '../contracts/errors.js';
import { diffRange } from './diff-range.js';
import { assertReviewBranch, baseRef, verifiedCommit } from './review-branches.js';
import { workspaceRepository } from './repository.js';
import { runGit } from './run-git.js';

/** What a review session shows: the reviewed branch against its base, read by the API. */

const MAX_PATCH_BYTES = 2 * 1024 * 1024;
const MAX_COMMITS = 500;

export type ReviewDiff = Omit<ReviewView, 'review' | 'status'>;

/** What the reviewed branch brings to its base: commits, files and patch (three-dot, from the merge base). */
export async function reviewDiff(input: {
  workspace: string;
  base: string;
  branch: string;
  mergeCommit?: string | null;
}): Promise<ReviewDiff> {
  assertReviewBranch(input.base, 'base');
  assertReviewBranch(input.branch, 'reviewed');
  const baseSide = await baseRef(input.workspace, input.base);
  const head = await verifiedCommit(input.workspace, `refs/heads/${input.branch}`);
  if (!head) throw new TevisError('not-found', `the workspace has no branch "${input.branch}"`);
  const baseCommit = (await verifiedCommit(input.workspace, baseSide))!;
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
    input.mergeCommit && (await verifiedCommit(input.workspace, `${input.mergeCommit}^2`)) === head
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
