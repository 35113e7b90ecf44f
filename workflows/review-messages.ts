import { defineUpdate } from '@temporalio/workflow';
import type { ReviewDecision, ReviewState } from '../contracts/review.js';
import type { CommandStamp } from '../contracts/sealed-commands.js';

/** A person's decision on a review session's branch: merge it into its base, or not. */
export const approveReviewUpdate = defineUpdate<ReviewState, [ReviewDecision, CommandStamp?]>(
  'approveReview',
);
export const rejectReviewUpdate = defineUpdate<ReviewState, [ReviewDecision, CommandStamp?]>('rejectReview');
