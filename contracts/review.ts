import { z } from 'zod';
import { StorableText } from './storable.js';

/**
 * Review sessions: bound to a branch, they show its diff against the project's default branch
 * (the base) and approve (merge) or reject it. They never execute anything.
 */

export const REVIEW_STATUSES = ['pending', 'approved', 'rejected', 'merged', 'conflict'] as const;
export const ReviewStatus = z.enum(REVIEW_STATUSES);
export type ReviewStatus = z.infer<typeof ReviewStatus>;

/** The body of approve / reject. */
export const ReviewDecision = z
  .strictObject({
    comment: StorableText.max(20_000).optional(),
    by: StorableText.max(200).optional(),
  })
  .meta({ id: 'ReviewDecision' });
export type ReviewDecision = z.infer<typeof ReviewDecision>;

/** Kept in the session workflow's state (and so in its query and in continue-as-new). */
export const ReviewState = z
  .object({
    base: z.string(),
    status: ReviewStatus,
    decidedBy: z.string().nullable(),
    comment: z.string().nullable(),
    decidedAt: z.string().nullable(),
    mergeCommit: z.string().nullable(),
    conflicts: z.array(z.string()),
  })
  .meta({ id: 'ReviewState' });
export type ReviewState = z.infer<typeof ReviewState>;

export function pendingReview(base: string): ReviewState {
  return {
    base,
    status: 'pending',
    decidedBy: null,
    comment: null,
    decidedAt: null,
    mergeCommit: null,
    conflicts: [],
  };
}

export const ReviewCommit = z.object({ sha: z.string(), subject: z.string(), author: z.string() });

/** GET /sessions/{id}/review. */
export const ReviewView = z
  .object({
    base: z.string(),
    branch: z.string(),
    baseCommit: z.string(),
    headCommit: z.string(),
    mergeBase: z.string().nullable(),
    /** The newest 500 at most; `commitsTruncated` says there were more. */
    commits: z.array(ReviewCommit),
    commitsTruncated: z.boolean(),
    files: z.array(z.object({ path: z.string(), additions: z.number(), deletions: z.number() })),
    /** Capped at 2 MiB, cut at a whole line; `truncated` says it was. */
    patch: z.string(),
    truncated: z.boolean(),
    /** The decision so far, the same as `review.status`. */
    status: ReviewStatus,
    review: ReviewState,
  })
  .meta({ id: 'ReviewView' });
export type ReviewView = z.infer<typeof ReviewView>;
