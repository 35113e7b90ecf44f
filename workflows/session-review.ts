import { ApplicationFailure, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import type { ReviewDecision, ReviewState } from '../contracts/review.js';
import type { SessionWorkflowState } from '../contracts/session-state.js';
import type { TimelineEventType } from '../contracts/timeline.js';
import { approveReviewUpdate, rejectReviewUpdate } from './review-messages.js';

const acts = proxyActivities<SessionActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20, nonRetryableErrorTypes: ['validation', 'not-found'] },
});

function refused(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: 'invalid-transition', nonRetryable: true });
}

/**
 * A review session's decision: approve (a `--no-ff` merge of its branch into the base, pushed
 * when the project pushes) or reject. One decision at a time; a conflict can be decided again.
 */
export function installReview(state: SessionWorkflowState, noteActivity: () => void): void {
  let deciding = false;
  let eventNumber = 0;
  const record = (type: TimelineEventType, data: Record<string, unknown>) =>
    acts.recordTransition({ sessionId: state.sessionId, changes: {}, event: { sessionId: state.sessionId, type, data, key: `${workflowInfo().runId}:review:${++eventNumber}` } });

  const validator = (_decision: ReviewDecision) => {
    const review = state.review;
    if (state.type !== 'review' || !review) {
      throw ApplicationFailure.create({ message: `a ${state.type} session has no branch under review; that takes a review session`, type: 'capability-not-allowed', nonRetryable: true });
    }
    if (state.status !== 'active') throw refused(`session ${state.sessionId} is ${state.status}; a review is decided in an active session`);
    if (deciding) throw refused(`the review of ${state.branch} is being decided right now`);
    if (review.status !== 'pending' && review.status !== 'conflict') throw refused(`the review of ${state.branch} is already ${review.status}`);
  };

  const decide = (review: ReviewState, status: 'approved' | 'rejected', decision: ReviewDecision | undefined) =>
    Object.assign(review, { status, decidedBy: decision?.by ?? 'api', comment: decision?.comment ?? null, decidedAt: new Date().toISOString() });

  setHandler(
    approveReviewUpdate,
    async (decision) => {
      const review = state.review!;
      deciding = true;
      noteActivity();
      try {
        decide(review, 'approved', decision);
        await record('review.approved', { base: review.base, branch: state.branch, by: review.decidedBy, comment: review.comment });
        if (!state.workspacePath) throw refused('the session has no workspace');
        const outcome = await acts.mergeReviewBranch({ workspace: state.workspacePath, base: review.base, branch: state.branch, message: `Merge ${state.branch} (review ${state.sessionId})` });
        if (!outcome.merged) {
          Object.assign(review, { status: 'conflict', conflicts: outcome.conflicts });
          await record('review.conflict', { base: review.base, branch: state.branch, conflicts: outcome.conflicts });
          return { ...review };
        }
        Object.assign(review, { status: 'merged', mergeCommit: outcome.commit, conflicts: [] });
        await record('review.merged', { base: review.base, branch: state.branch, commit: outcome.commit });
        const push = state.execution?.push ?? 'never';
        if (push !== 'never') {
          const pushed = await acts.pushSessionBranch({ workspace: state.workspacePath, branch: review.base });
          await record(pushed.pushed ? 'branch.pushed' : 'branch.push_failed', { branch: review.base, commit: pushed.commit, why: `review of ${state.branch} merged`, error: pushed.error });
        }
        return { ...review };
      } finally {
        deciding = false;
      }
    },
    { validator },
  );

  setHandler(
    rejectReviewUpdate,
    async (decision) => {
      const review = state.review!;
      noteActivity();
      decide(review, 'rejected', decision);
      await record('review.rejected', { base: review.base, branch: state.branch, by: review.decidedBy, comment: review.comment });
      return { ...review };
    },
    { validator },
  );
}
