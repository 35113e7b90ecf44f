import { ActivityFailure, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import { DEFAULT_EXECUTION_SETTINGS, type ExecutionSettings } from '../contracts/execution-settings.js';
import type { ReviewDecision, ReviewState } from '../contracts/review.js';
import type { SessionWorkflowState } from '../contracts/session-state.js';
import type { TimelineEventType } from '../contracts/timeline.js';
import { ACTIVITY_OPTIONS } from './activity-options.js';
import { refuse } from './refusal.js';
import { answeringWrites, unrecordedWrite } from './unrecorded-write.js';
import type { WorkspaceActivities, WorkspaceHost } from './workspace-host.js';

const acts = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.reviewRecords);

/** What went wrong in an activity, as the caller of the Update should see it. */
function failedBecause(error: unknown, what: string): ApplicationFailure {
  const cause =
    error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause : null;
  const type = cause?.type === 'not-found' || cause?.type === 'validation' ? cause.type : 'internal';
  const message = cause?.message ?? (error instanceof Error ? error.message : String(error));
  return refuse(type, `${what}: ${message}`);
}

/**
 * What a review session's decision does: approve (a `--no-ff` merge of its branch into the base,
 * pushed by the project's push policy) or reject, each recorded while the person waits; if the
 * record or the merge fails, the review is as it was.
 */
export class ReviewDecisions {
  readonly execution: ExecutionSettings;
  private eventNumber = 0;

  constructor(
    private readonly state: SessionWorkflowState,
    private readonly noteActivity: () => void,
    private readonly host: WorkspaceHost,
  ) {
    this.execution = state.execution ?? DEFAULT_EXECUTION_SETTINGS;
  }

  private record(type: TimelineEventType, data: Record<string, unknown>, writes = acts) {
    const state = this.state;
    return writes.recordTransition({
      sessionId: state.sessionId,
      changes: {},
      event: {
        sessionId: state.sessionId,
        type,
        data,
        key: `${workflowInfo().runId}:review:${++this.eventNumber}`,
      },
    });
  }

  /** The decision itself, recorded while the person waits: if it cannot be, the review is as it was. */
  private async recordDecision(
    review: ReviewState,
    before: ReviewState,
    type: 'review.approved' | 'review.rejected',
  ): Promise<void> {
    const state = this.state;
    try {
      await this.record(
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
  }

  private decide(review: ReviewState, status: 'approved' | 'rejected', decision: ReviewDecision | undefined) {
    return Object.assign(review, {
      status,
      decidedBy: decision?.by ?? 'api',
      comment: decision?.comment ?? null,
      decidedAt: new Date().toISOString(),
    });
  }

  /** Sends the base, merged, to the project's remote; a refused push is on the timeline. */
  async pushBase(review: ReviewState, why: string): Promise<void> {
    const state = this.state;
    try {
      const pushed = await this.host.run(ACTIVITY_OPTIONS.reviewPush, (on) =>
        on.pushSessionBranch({ workspace: state.workspacePath!, branch: review.base }),
      );
      if (pushed.pushed)
        await this.record('review.pushed', {
          base: review.base,
          branch: state.branch,
          commit: pushed.commit,
          why,
        });
      else
        await this.record('branch.push_failed', {
          branch: review.base,
          commit: pushed.commit,
          why,
          error: pushed.error,
        });
    } catch (error) {
      // The merge stands either way; what the push could not do is for a person to sort out.
      if (!(error instanceof ActivityFailure)) throw error;
      await this.record('branch.push_failed', {
        branch: review.base,
        commit: review.mergeCommit,
        why,
        error: error.cause?.message ?? error.message,
      });
    }
  }

  async approve(decision: ReviewDecision | undefined): Promise<ReviewState> {
    const state = this.state;
    const review = state.review!;
    const before = { ...review };
    this.noteActivity();
    this.decide(review, 'approved', decision);
    await this.recordDecision(review, before, 'review.approved');
    let outcome: Awaited<ReturnType<WorkspaceActivities['mergeReviewBranch']>>;
    try {
      outcome = await this.host.run(ACTIVITY_OPTIONS.reviewMerge, (on) =>
        on.mergeReviewBranch({
          workspace: state.workspacePath!,
          base: review.base,
          branch: state.branch,
          message: `Merge ${state.branch} (review ${state.sessionId})`,
        }),
      );
    } catch (error) {
      // Nothing was merged: the review waits for a decision as before.
      Object.assign(review, before);
      throw failedBecause(error, `merging ${state.branch} into ${review.base} failed`);
    }
    if (!outcome.merged) {
      Object.assign(review, { status: 'conflict', conflicts: outcome.conflicts });
      await this.record('review.conflict', {
        base: review.base,
        branch: state.branch,
        conflicts: outcome.conflicts,
      });
      return { ...review };
    }
    Object.assign(review, { status: 'merged', mergeCommit: outcome.commit, conflicts: [] });
    await this.record('review.merged', {
      base: review.base,
      branch: state.branch,
      commit: outcome.commit,
      by: review.decidedBy,
    });
    if (this.execution.push === 'on-merge') await this.pushBase(review, `review of ${state.branch} merged`);
    return { ...review };
  }

  async reject(decision: ReviewDecision | undefined): Promise<ReviewState> {
    const review = this.state.review!;
    const before = { ...review };
    this.noteActivity();
    this.decide(review, 'rejected', decision);
    await this.recordDecision(review, before, 'review.rejected');
    return { ...review };
  }
}
