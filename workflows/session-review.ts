import { setHandler } from '@temporalio/workflow';
import { ReviewDecision } from '../contracts/review.js';
import type { CommandStamp } from '../contracts/sealed-commands.js';
import type { SessionWorkflowState } from '../contracts/session-state.js';
import { requireStamp } from './command-guard.js';
import { HandlerMutex } from './handler-mutex.js';
import { refuse, refused } from './refusal.js';
import { ReviewDecisions } from './review-decisions.js';
import { approveReviewUpdate, rejectReviewUpdate } from './review-messages.js';
import { refuseInvalid } from './validate-input.js';
import type { WorkspaceHost } from './workspace-host.js';

/**
 * A review session's decision: approve (a `--no-ff` merge of its branch into the base, pushed
 * by the project's push policy: at once for `on-merge`, when the session ends for `on-end`) or
 * reject. One decision at a time; a conflict can be decided again.
 *
 * Returns `stop()`, for the session's end: it waits for a decision being made and pushes an
 * `on-end` merge.
 */
export function installReview(
  state: SessionWorkflowState,
  noteActivity: () => void,
  host: WorkspaceHost,
): { stop(): Promise<void> } {
  const decisions = new ReviewDecisions(state, noteActivity, host);
  /** One decision at a time: the validator refuses others while one is made. */
  const deciding = new HandlerMutex();
  const validator = (decision: ReviewDecision, stamp?: CommandStamp) => {
    requireStamp(state.sessionId, stamp);
    refuseInvalid(ReviewDecision.optional(), decision, 'decision');
    const review = state.review;
    if (state.type !== 'review' || !review) {
      throw refuse(
        'capability-not-allowed',
        `a ${state.type} session has no branch under review; that takes a review session`,
      );
    }
    if (state.status !== 'active')
      throw refused(
        `session ${state.sessionId} is ${state.status}; a review is decided in an active session`,
      );
    if (deciding.locked) throw refused(`the review of ${state.branch} is being decided right now`);
    if (review.status !== 'pending' && review.status !== 'conflict')
      throw refused(`the review of ${state.branch} is already ${review.status}`);
    if (!state.workspacePath) throw refused(`session ${state.sessionId} has no workspace to merge in`);
  };

  setHandler(approveReviewUpdate, (decision) => deciding.runNow(() => decisions.approve(decision)), {
    validator,
  });
  setHandler(rejectReviewUpdate, (decision) => deciding.runNow(() => decisions.reject(decision)), {
    validator,
  });

  return {
    async stop() {
      await deciding.settled();
      if (decisions.execution.push === 'on-end' && state.review?.status === 'merged' && state.workspacePath)
        await decisions.pushBase(state.review, 'the session ended');
    },
  };
}
