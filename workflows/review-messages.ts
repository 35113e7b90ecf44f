import { defineUpdate } from '@temporalio/workflow';
import type { ReviewDecision, ReviewState } from '../contracts/review.js';

/** A person's decision on a review session's branch: merge it into its base, or not. */
export const approveReviewUpdate = defineUpdate<ReviewState, [ReviewDecision]>('approveReview');
export const rejectReviewUpdate = defineUpdate<ReviewState, [ReviewDecision]>('rejectReview');
