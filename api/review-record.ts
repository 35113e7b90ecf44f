import { pendingReview, type ReviewState } from '../contracts/review.js';
import type { Database } from '../db/database.js';
import { lastEventOf } from '../db/timeline-store.js';

const DECISIONS = ['review.approved', 'review.rejected', 'review.merged', 'review.conflict'] as const;

/**
 * A review's state as the timeline has it: for a session whose workflow is not running (ended,
 * or being recovered), so a decision once made is never made again.
 */
export async function reviewFromRecord(db: Database, sessionId: string, base: string): Promise<ReviewState> {
  const review = pendingReview(base);
  const last = await lastEventOf(db, sessionId, DECISIONS);
  if (!last) return review;
  const approved = await lastEventOf(db, sessionId, ['review.approved', 'review.rejected']);
  Object.assign(review, {
    decidedBy: approved?.data.by ?? null,
    comment: approved?.data.comment ?? null,
    decidedAt: approved?.at ?? null,
  });
  if (last.type === 'review.merged') return { ...review, status: 'merged', mergeCommit: last.data.commit };
  if (last.type === 'review.conflict')
    return { ...review, status: 'conflict', conflicts: last.data.conflicts };
  // Approved without a merge recorded: the workflow stopped mid-merge; the merge is safe to repeat.
  if (last.type === 'review.approved') return { ...review, status: 'pending' };
  return { ...review, status: 'rejected' };
}
