import {
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import type { NanocycleWrite } from '../activities/nanocycle-records.js';
import {
  type HoldPointAnswer,
  type HoldPointKind,
  holdPointId,
  type NanocycleStatus,
} from '../contracts/nanocycle.js';
import type { NanocycleOutcomeStatus } from '../contracts/nanocycle-statuses.js';
import type { NanocycleBrief } from '../contracts/session-state.js';
import type { AgentPermissionRequest } from '../contracts/agent-permission.js';
import type { TimelineEventType } from '../contracts/timeline.js';
import { ACTIVITY_OPTIONS } from './activity-options.js';
import { HOLD_WITH_STATUS_PATCH } from './hold-with-status-patch.js';
import type { NanocycleWorkflowInput } from './nanocycle-input.js';
import { holdOpenedSignal, nanocycleProgressSignal } from './nanocycle-messages.js';
import type { NanocycleOutcome } from './nanocycle-outcome.js';

const records = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.records);

const now = () => new Date().toISOString();

/**
 * What a nanocycle's workflow tells the world: its record and timeline, its session (progress
 * and hold points, as signals the session can tell from copies), and how it ended.
 */
export class NanocycleReporter {
  executor: string | null = null;
  tpuSeconds = 0;
  /** The session's answers to this nanocycle's hold points, by hold point id. */
  readonly answers = new Map<string, HoldPointAnswer>();
  private readonly session;
  private eventNumber = 0;
  private signalNumber = 0;

  constructor(private readonly input: NanocycleWorkflowInput) {
    this.session = getExternalWorkflowHandle(input.sessionWorkflowId);
  }

  private eventKey(): string {
    return `${workflowInfo().runId}:${++this.eventNumber}`;
  }

  private origin() {
    return { from: workflowInfo().workflowId, seq: ++this.signalNumber };
  }

  async record(
    status: NanocycleStatus,
    type: TimelineEventType | null,
    data: Record<string, unknown> = {},
    extra: {
      startedAt?: string;
      finishedAt?: string;
      executor?: string | null;
      data?: Record<string, unknown>;
    } = {},
  ): Promise<void> {
    const input = this.input;
    await records.recordNanocycle({
      nanocycle: this.nanocycleWrite(status, extra),
      event: type
        ? {
            sessionId: input.sessionId,
            type,
            data: { nanocycleId: input.nanocycleId, ...data },
            key: this.eventKey(),
          }
        : undefined,
    });
    await this.tellProgress(status);
  }

  private nanocycleWrite(status: NanocycleStatus, extra: Partial<NanocycleWrite> = {}): NanocycleWrite {
    const input = this.input;
    return {
      sessionId: input.sessionId,
      id: input.nanocycleId,
      name: input.name,
      goal: input.goal,
      branch: input.branch,
      status,
      ...extra,
    };
  }

  private async tellProgress(status: NanocycleStatus): Promise<void> {
    const progress: Partial<NanocycleBrief> & { id: string } = {
      id: this.input.nanocycleId,
      status,
      executor: this.executor,
      tpuSeconds: this.tpuSeconds,
    };
    await this.session.signal(nanocycleProgressSignal, { ...progress, ...this.origin() });
  }

  async ask(
    kind: HoldPointKind,
    reason: string,
    attempt?: number,
    agentRequest?: AgentPermissionRequest,
  ): Promise<HoldPointAnswer> {
    const input = this.input;
    const id = holdPointId(input.nanocycleId, kind, attempt);
    const openedAt = now();
    // The session learns of the hold point before the record shows it to anyone, so an answer
    // that follows the record never reaches a session that does not know the hold point yet.
    await this.session.signal(holdOpenedSignal, {
      id,
      nanocycleId: input.nanocycleId,
      kind,
      reason,
      openedAt,
      ...this.origin(),
      ...(agentRequest
        ? { options: agentRequest.options.map(({ optionId, kind }) => ({ optionId, kind })) }
        : {}),
    });
    // One write for the hold point and the waiting status (see HOLD_WITH_STATUS_PATCH).
    const together = patched(HOLD_WITH_STATUS_PATCH);
    await records.recordHoldPointOpened({
      sessionId: input.sessionId,
      id,
      nanocycleId: input.nanocycleId,
      kind,
      reason,
      openedAt,
      eventKey: this.eventKey(),
      webhookUrl: input.execution.webhookUrl,
      ...(agentRequest ? { agentRequest } : {}),
      ...(together ? { nanocycle: this.nanocycleWrite('awaiting_approval') } : {}),
    });
    if (together) await this.tellProgress('awaiting_approval');
    else await this.record('awaiting_approval', null);
    await condition(() => this.answers.has(id));
    return this.answers.get(id)!;
  }

  async finish(
    status: NanocycleOutcomeStatus,
    outcome: Partial<NanocycleOutcome> = {},
  ): Promise<NanocycleOutcome> {
    const { executor, tpuSeconds } = this;
    const result: NanocycleOutcome = {
      status,
      commit: null,
      filesChanged: 0,
      executor,
      tpuSeconds,
      detail: null,
      ...outcome,
    };
    await this.record(
      status,
      `nanocycle.${status}`,
      { commit: result.commit, filesChanged: result.filesChanged, detail: result.detail, tpuSeconds },
      {
        finishedAt: now(),
        executor,
        data: { commit: result.commit, filesChanged: result.filesChanged, tpuSeconds, detail: result.detail },
      },
    );
    return result;
  }

  /** The start of a TPU run: on the timeline for the first, in the record for all. */
  startRun(run: number): Promise<void> {
    return this.record(
      'running',
      run === 1 ? 'nanocycle.started' : null,
      { branch: this.input.branch, run },
      run === 1 ? { startedAt: now() } : {},
    );
  }
}
