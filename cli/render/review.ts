import type { ReviewState, ReviewView } from '../../contracts/review.js';
import { renderTable } from '../output.js';
import { diffSummary } from './nanocycle.js';

export function describeReview(review: ReviewState, branch: string): string {
  const who = review.decidedBy ? ` by ${review.decidedBy}` : '';
  const why = review.comment ? ` — "${review.comment}"` : '';
  switch (review.status) {
    case 'pending':
      return `${branch} → ${review.base}: waiting for a decision (\`tevis review approve\` or \`tevis review reject --comment …\`)`;
    case 'merged':
      return `${branch} merged into ${review.base}${review.mergeCommit ? ` at ${review.mergeCommit.slice(0, 12)}` : ''}${who}${why}`;
    case 'conflict':
      return `${branch} conflicts with ${review.base} in ${review.conflicts.join(', ')}; nothing was merged. Fix the branch, or reject it.`;
    case 'rejected':
      return `${branch} rejected${who}${why}; nothing was merged`;
    default:
      return `${branch} → ${review.base}: ${review.status}${who}${why}`;
  }
}

export type ReviewShow = 'commits' | 'stat' | 'patch';

/** `tevis review show --stat --json`: what the text shows, the files and the decision. */
export function reviewStat(view: ReviewView) {
  return { base: view.base, branch: view.branch, status: view.status, files: view.files };
}

/**
 * `tevis review show`: the decision, the commits and the files with a short stat; `stat`: only
 * the files; `patch`: the patch after them.
 */
export function renderReview(view: ReviewView, options: { show: ReviewShow }): string {
  const header = describeReview(view.review, view.branch);
  if (!view.commits.length && !view.files.length)
    return `${header}\n${view.branch} brings nothing that ${view.base} does not have`;
  const files = renderTable(
    ['FILE', '+', '-'],
    view.files.map((f) => [f.path, String(f.additions), String(f.deletions)]),
  );
  const stat = `${files}\n${diffSummary(view.files)}`;
  if (options.show === 'stat') return stat;
  const commits = renderTable(
    ['COMMIT', 'AUTHOR', 'SUBJECT'],
    view.commits.map((c) => [c.sha.slice(0, 12), c.author, c.subject]),
  );
  const more = view.commitsTruncated
    ? `\n… (the newest ${view.commits.length} commits; \`git log ${view.base}..${view.branch}\` in the workspace has them all)`
    : '';
  const parts = [header, commits + more, stat];
  if (options.show === 'patch') {
    parts.push(
      view.patch.replace(/\n+$/, '') +
        (view.truncated
          ? '\n… (the patch is longer than the 2 MiB shown; `git diff` in the workspace has it all)'
          : ''),
    );
  }
  return parts.join('\n\n');
}
