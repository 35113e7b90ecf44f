import type { ReviewDecision, ReviewState } from '../contracts/review.js';
import { approveReviewUpdate, rejectReviewUpdate } from '../workflows/review-messages.js';
import type { SessionWorkflows } from './session-workflows.js';

/** A review session's decision, an Update on its workflow, which merges (or not) and records it. */
export class ReviewCommands {
  constructor(private readonly workflows: SessionWorkflows) {}

  /** Merges the branch into its base (`git merge --no-ff`), pushed when the project pushes. */
  approve(sessionId: string, decision: ReviewDecision): Promise<ReviewState> {
    return this.workflows.update(sessionId, approveReviewUpdate, [decision]);
  }

  /** Merges nothing; the comment says why. */
  reject(sessionId: string, decision: ReviewDecision): Promise<ReviewState> {
    return this.workflows.update(sessionId, rejectReviewUpdate, [decision]);
  }
}
