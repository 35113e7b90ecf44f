import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import { ACTIVITY_OPTIONS } from './activity-options.js';
import { DEFAULT_EXECUTION_SETTINGS } from '../contracts/execution-settings.js';
import { ReviewDecision, type ReviewState } from '../contracts/review.js';
import type { SessionWorkflowState } from '../contracts/session-state.js';
import type { CommandStamp } from '../contracts/sealed-commands.js';
import type { TimelineEventType } from '../contracts/timeline.js';
import { requireStamp } from './command-guard.js';
import { HandlerMutex } from './handler-mutex.js';
import { approveReviewUpdate, rejectReviewUpdate } from './review-messages.js';
import { answeringWrites, unrecordedWrite } from './unrecorded-write.js';
import { refuseInvalid } from './validate-input.js';
import { refuse, refused } from './refusal.js';

const acts = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.reviewRecords);
const merging = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.reviewMerge);
const pushing = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.reviewPush);

/** What went wrong in an activity, as the caller of the Update should see it. */
function failedBecause(error: unknown, what: string): ApplicationFailure {
  const cause =
    error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause : null;
  const type = cause?.type === 'not-found' || cause?.type === 'validation' ? cause.type : 'internal';
  const message = cause?.message ?? (error instanceof Error ? error.message : String(error));
  return refuse(type, `${what}: ${message}`);
}

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
): { stop(): Promise<void> } {
  const execution = state.execution ?? DEFAULT_EXECUTION_SETTINGS;
  /** One decision at a time: the validator refuses others while one is made. */
  const deciding = new HandlerMutex();
  let eventNumber = 0;
  const record = (type: TimelineEventType, data: Record<string, unknown>, writes = acts) =>
    writes.recordTransition({
      sessionId: state.sessionId,
      changes: {},
      event: {
        sessionId: state.sessionId,
        type,
        data,
        key: `${workflowInfo().runId}:review:${++eventNumber}`,
      },
    });
  /** The decision itself, recorded while the person waits: if it cannot be, the review is as it was. */
  const recordDecision = async (
    review: ReviewState,
    before: ReviewState,
    type: 'review.approved' | 'review.rejected',
  ) => {
    try {
      await record(
        type,
        { base: review.base, branch: state.branch, by: review.decidedBy, comment: review.comment },
        answeringWrites,
      );
    } catch (error) {
      Object.assign(review, before);
      throw unrecordedWrite(
        error,
        `the ${type === 'review.approved' ? 'approval' : 'rejection'} of ${state.branch}`,
      );
    }
  };

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

  const decide = (
    review: ReviewState,
    status: 'approved' | 'rejected',
    decision: ReviewDecision | undefined,
  ) =>
    Object.assign(review, {
      status,
      decidedBy: decision?.by ?? 'api',
      comment: decision?.comment ?? null,
      decidedAt: new Date().toISOString(),
    });

  /** Sends the base, merged, to the project's remote; a refused push is on the timeline. */
  const pushBase = async (review: ReviewState, why: string) => {
    try {
      const pushed = await pushing.pushSessionBranch({
        workspace: state.workspacePath!,
        branch: review.base,
      });
      if (pushed.pushed)
        await record('review.pushed', {
          base: review.base,
          branch: state.branch,
          commit: pushed.commit,
          why,
        });
      else
        await record('branch.push_failed', {
          branch: review.base,
          commit: pushed.commit,
          why,
          error: pushed.error,
        });
    } catch (error) {
      // The merge stands either way; what the push could not do is for a person to sort out.
      if (!(error instanceof ActivityFailure)) throw error;
      await record('branch.push_failed', {
        branch: review.base,
        commit: review.mergeCommit,
        why,
        error: error.cause?.message ?? error.message,
      });
    }
  };

  setHandler(
    approveReviewUpdate,
    (decision) =>
      deciding.runNow(async () => {
        const review = state.review!;
        const before = { ...review };
        noteActivity();
        decide(review, 'approved', decision);
        await recordDecision(review, before, 'review.approved');
        let outcome: Awaited<ReturnType<typeof merging.mergeReviewBranch>>;
        try {
          outcome = await merging.mergeReviewBranch({
            workspace: state.workspacePath!,
            base: review.base,
            branch: state.branch,
            message: `Merge ${state.branch} (review ${state.sessionId})`,
          });
        } catch (error) {
          // Nothing was merged: the review waits for a decision as before.
          Object.assign(review, before);
          throw failedBecause(error, `merging ${state.branch} into ${review.base} failed`);
        }
        if (!outcome.merged) {
          Object.assign(review, { status: 'conflict', conflicts: outcome.conflicts });
          await record('review.conflict', {
            base: review.base,
            branch: state.branch,
            conflicts: outcome.conflicts,
          });
          return { ...review };
        }
        Object.assign(review, { status: 'merged', mergeCommit: outcome.commit, conflicts: [] });
        await record('review.merged', {
          base: review.base,
          branch: state.branch,
          commit: outcome.commit,
          by: review.decidedBy,
        });
        if (execution.push === 'on-merge') await pushBase(review, `review of ${state.branch} merged`);
        return { ...review };
      }),
    { validator },
  );

  setHandler(
    rejectReviewUpdate,
    (decision) =>
      deciding.runNow(async () => {
        const review = state.review!;
        const before = { ...review };
        noteActivity();
        decide(review, 'rejected', decision);
        await recordDecision(review, before, 'review.rejected');
        return { ...review };
      }),
    { validator },
  );

  return {
    async stop() {
      await deciding.settled();
      if (execution.push === 'on-end' && state.review?.status === 'merged' && state.workspacePath)
        await pushBase(state.review, 'the session ended');
    },
  };
}
