import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { SessionActivities } from '../../activities/index.js';
import type { NanocycleWrite } from '../../activities/nanocycle-records.js';
import { DEFAULT_EXECUTION_SETTINGS, type ExecutionSettings } from '../../contracts/execution-settings.js';
import type { NanocycleStatus } from '../../contracts/nanocycle.js';
import { isFinalNanocycleStatus } from '../../contracts/nanocycle-statuses.js';
import type { TimelineEventType } from '../../contracts/timeline.js';
import { ACTIVITY_OPTIONS } from '../activity-options.js';
import type { NanocycleBrief, NanocycleEngineState } from './types.js';
import type { WorkspaceHost } from '../workspace-host.js';

const acts = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.engineRecords);

/**
 * The engine's shared bookkeeping: the session's nanocycles, their status in the state and in the
 * record, and the keys of the timeline events the engine writes (one sequence for all its parts,
 * so a retried write never writes an event twice).
 */
export class NanocycleBook {
  readonly execution: ExecutionSettings;
  private eventNumber = 0;

  constructor(
    readonly state: NanocycleEngineState,
    readonly noteActivity: () => void,
    /** The host that holds the workspace: merges, pushes and the nanocycles' own steps run there. */
    readonly host: WorkspaceHost,
  ) {
    this.execution = state.execution ?? DEFAULT_EXECUTION_SETTINGS;
  }

  /** The nanocycle's own workflow, named after the session's. */
  childId(id: string): string {
    return `${workflowInfo().workflowId}-${id}`;
  }

  eventKey(): string {
    return `${workflowInfo().runId}:nc:${++this.eventNumber}`;
  }

  brief(id: string): NanocycleBrief | undefined {
    return this.state.nanocycles.find((n) => n.id === id);
  }

  refreshCounts(): void {
    const state = this.state;
    state.activeTpus = state.nanocycles.filter((n) => n.status === 'running').length;
    state.activeNanocycle = state.nanocycles.find((n) => n.status === 'running')?.id ?? null;
  }

  /** The nanocycle's new status in the state, and the write that records it (setStatus makes it). */
  applyStatus(id: string, status: NanocycleStatus): NanocycleWrite {
    const nc = this.brief(id)!;
    nc.status = status;
    this.refreshCounts();
    this.noteActivity();
    return {
      sessionId: this.state.sessionId,
      id,
      name: nc.name,
      goal: null,
      branch: nc.branch,
      status,
      ...(isFinalNanocycleStatus(status) ? { finishedAt: new Date().toISOString() } : {}),
    };
  }

  async setStatus(
    id: string,
    status: NanocycleStatus,
    type: TimelineEventType | null,
    data: Record<string, unknown> = {},
  ): Promise<void> {
    const state = this.state;
    await acts.recordNanocycle({
      nanocycle: this.applyStatus(id, status),
      event: type
        ? { sessionId: state.sessionId, type, data: { nanocycleId: id, ...data }, key: this.eventKey() }
        : undefined,
    });
  }
}
