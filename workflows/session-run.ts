import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import type { SessionRecordChanges } from '../activities/record-transition.js';
import type { SessionWorkflowState } from '../contracts/session-state.js';
import type { EndReason, SessionStatus } from '../contracts/session-types.js';
import type { TimelineEventType } from '../contracts/timeline.js';
import { ACTIVITY_OPTIONS } from './activity-options.js';
import { HandlerMutex } from './handler-mutex.js';
import { localRecords } from './session-local-records.js';
import { statusKey } from './session-search-attributes.js';
import { WorkspaceHost } from './workspace-host.js';
import { moveWorkspace } from './workspace-move.js';

const record = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.records);

/** Continue-as-new well before Temporal's limit of 2,000 Updates a run. */
const UPDATE_LIMIT = 1_000;

/**
 * One run of the session workflow: its state (what the query shows and continue-as-new carries)
 * and what the run keeps beside it — the end asked for, the activity the inactivity timer
 * watches, and the record kept in step after each change.
 */
export class SessionRun {
  readonly state: SessionWorkflowState;
  endRequested: EndReason | null;
  /** Changes on every activity: the inactivity timer restarts when it does. */
  activityTick = 0;
  /** Counted toward continue-as-new, well before Temporal's limit on Updates. */
  updatesHandled = 0;
  /** Set once the ended (or failed) status is in the record too, so an end Update answers after it. */
  closed = false;
  /** Updates interleave at every await; transitions run one at a time in arrival order. */
  readonly transitions = new HandlerMutex();
  /** The worker host that holds the workspace: its activities go there, and leave it when it is lost. */
  readonly host: WorkspaceHost;
  private eventNumber = 0;

  constructor(state: SessionWorkflowState) {
    this.state = state;
    this.host = new WorkspaceHost(state, (lost) => moveWorkspace(this, lost));
    this.endRequested = state.status === 'ending' ? (state.endReason ?? 'user') : null;
  }

  noteActivity(): void {
    this.activityTick++;
    this.state.lastActivityAt = new Date().toISOString();
  }

  writeEvent(
    type: TimelineEventType,
    data: Record<string, unknown> = {},
    changes: SessionRecordChanges = {},
  ) {
    const state = this.state;
    return record.recordTransition({
      sessionId: state.sessionId,
      changes,
      // Stable across activity retries, unique across runs: a retry never writes an event twice.
      event: { sessionId: state.sessionId, type, data, key: `${workflowInfo().runId}:${++this.eventNumber}` },
    });
  }

  async moveTo(
    status: SessionStatus,
    type: TimelineEventType,
    data: Record<string, unknown> = {},
    changes: SessionRecordChanges = {},
  ): Promise<void> {
    this.state.status = status;
    upsertSearchAttributes([{ key: statusKey, value: status }]);
    await this.writeEvent(type, data, { ...changes, status });
  }

  /** As moveTo, the record written by a local activity (see session-local-records.ts). */
  async moveToLocally(status: SessionStatus, type: TimelineEventType): Promise<void> {
    this.state.status = status;
    upsertSearchAttributes([{ key: statusKey, value: status }]);
    await this.writeEventsLocally([{ type, data: {} }], { status });
  }

  /** Several events and the row's changes in one local activity, each event keyed as writeEvent keys it. */
  writeEventsLocally(
    events: { type: TimelineEventType; data: Record<string, unknown> }[],
    changes: SessionRecordChanges = {},
  ) {
    const sessionId = this.state.sessionId;
    return localRecords.recordTransitions({
      sessionId,
      changes,
      events: events.map((e) => ({ sessionId, ...e, key: `${workflowInfo().runId}:${++this.eventNumber}` })),
    });
  }

  /** Time to continue as new: Temporal suggests it, or the history or the Updates reached their limit. */
  historyIsLong(historyLimit: number): boolean {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested || info.historyLength > historyLimit || this.updatesHandled > UPDATE_LIMIT
    );
  }

  /** True from the next activity, change of status or end asked for: what the open session waits for. */
  somethingHappened(): () => boolean {
    const seenTick = this.activityTick;
    const seenStatus = this.state.status;
    return () =>
      this.activityTick !== seenTick || this.state.status !== seenStatus || this.endRequested !== null;
  }

  /** `ending`, unless an end was asked for: then that, for the refusals that name the status. */
  statusForRefusal(): string {
    return this.endRequested ? 'ending' : this.state.status;
  }
}
