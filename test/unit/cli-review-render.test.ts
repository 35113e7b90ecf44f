import { describe, expect, it } from 'vitest';
import { pendingReview, type ReviewView } from '../../contracts/review.js';
import { describeReview, renderReview, reviewStat } from '../../cli/render/review.js';

const view: ReviewView = {
  base: 'main',
  branch: 'feat/x',
  baseCommit: 'a'.repeat(40),
  headCommit: 'b'.repeat(40),
  mergeBase: 'a'.repeat(40),
  commits: [{ sha: 'b'.repeat(40), subject: 'start feat/x', author: 'Ada' }],
  files: [{ path: 'x.md', additions: 2, deletions: 1 }],
  patch: 'diff --git a/x.md b/x.md\n+new\n',
  truncated: false,
  commitsTruncated: false,
  status: 'pending',
  review: pendingReview('main'),
};

describe('review rendering', () => {
  it('shows the decision waiting, the commits and the files; the patch only when asked', () => {
    const text = renderReview(view, { show: 'commits' });
    expect(text).toContain('feat/x → main: waiting for a decision');
    expect(text).toContain('bbbbbbbbbbbb');
    expect(text).toContain('start feat/x');
    expect(text).toContain('x.md');
    expect(text).toContain('1 file changed, 2 insertions(+), 1 deletion(-)');
    expect(text).not.toContain('diff --git');
    const withPatch = renderReview(view, { show: 'patch' });
    expect(withPatch).toContain('diff --git a/x.md b/x.md');
    expect(withPatch).not.toContain('longer than');
  });

  it('--stat: only the files and the line counts', () => {
    const text = renderReview(view, { show: 'stat' });
    expect(text).toContain('x.md');
    expect(text).toContain('1 file changed, 2 insertions(+), 1 deletion(-)');
    expect(text).not.toContain('start feat/x');
    expect(text).not.toContain('waiting for a decision');
    expect(reviewStat(view)).toEqual({
      base: 'main',
      branch: 'feat/x',
      status: 'pending',
      files: view.files,
    });
  });

  it('says when the patch was cut', () => {
    expect(renderReview({ ...view, truncated: true }, { show: 'patch' })).toMatch(
      /\+new\n… \(the patch is longer than the 2 MiB shown/,
    );
  });

  it('says when the commits were cut', () => {
    expect(renderReview(view, { show: 'commits' })).not.toContain('newest');
    expect(renderReview({ ...view, commitsTruncated: true }, { show: 'commits' })).toContain(
      '… (the newest 1 commits; `git log main..feat/x` in the workspace has them all)',
    );
  });

  it('says what each decision did', () => {
    const decided = { ...pendingReview('main'), decidedBy: 'ada', comment: 'lgtm' };
    expect(describeReview({ ...decided, status: 'merged', mergeCommit: 'c'.repeat(40) }, 'feat/x')).toBe(
      'feat/x merged into main at cccccccccccc by ada — "lgtm"',
    );
    expect(
      describeReview({ ...decided, status: 'conflict', conflicts: ['a.ts', 'b.ts'] }, 'feat/x'),
    ).toContain('conflicts with main in a.ts, b.ts; nothing was merged');
    expect(describeReview({ ...decided, status: 'rejected' }, 'feat/x')).toBe(
      'feat/x rejected by ada — "lgtm"; nothing was merged',
    );
  });

  it('says when the branch brings nothing', () => {
    expect(renderReview({ ...view, commits: [], files: [], patch: '' }, { show: 'patch' })).toContain(
      'feat/x brings nothing that main does not have',
    );
  });
});
