import { isChildHoldKind } from '../contracts/nanocycle-statuses.js';
import { redactCredentials } from '../contracts/git-inputs.js';
import { sessionWorkflowId } from '../contracts/ids.js';
import type { Project } from '../contracts/project.js';
import type { Session } from '../contracts/session.js';
import type { SessionWorkflowState } from '../contracts/session-state.js';
import { listHoldPoints, toHoldPointBrief } from '../db/hold-points-store.js';
import { listNanocycles, toNanocycleBrief } from '../db/nanocycles-store.js';
import { getProject } from '../db/projects-store.js';
import { findSessionContext } from '../db/sessions-store.js';
import type { SessionWorkflowInput } from '../workflows/session-input.js';
import { projectKey, statusKey, typeKey } from '../workflows/session-search-attributes.js';
import type { sessionWorkflow } from '../workflows/session-workflow.js';
import { commandStamp } from './command-stamp.js';
import { reviewFromRecord } from './review-record.js';
import type { LifecycleDeps } from './session-workflows.js';

/**
 * Starts a session's workflow from its record: on create (phase `start`) and when a session
 * whose workflow was lost is brought back (phase `recover`). The record is the state the
 * workflow starts from, so a recovered session has its nanocycles and pending hold points.
 */
export class SessionWorkflowStarter {
  constructor(private readonly deps: LifecycleDeps) {}

  private get db() {
    return this.deps.db.db;
  }

  /**
   * `knownProject`, when the caller has read it already, is not read again; a new session (`start`)
   * has no nanocycles, hold points or context yet, so only a recovered one reads them.
   */
  async start(session: Session, phase: SessionWorkflowInput['phase'], knownProject?: Project): Promise<void> {
    const fresh = phase === 'start';
    const [ncs, project, context, allHolds] = await Promise.all([
      fresh ? [] : listNanocycles(this.db, session.id),
      knownProject ?? getProject(this.db, session.project),
      fresh ? null : findSessionContext(this.db, session.id),
      fresh ? [] : listHoldPoints(this.db, session.id),
    ]);
    // A recovered session takes back the hold points it owns itself (merge, conflict); those a
    // lost nanocycle workflow waited on went with it.
    const holds = allHolds.filter((h) => h.status === 'pending' && !isChildHoldKind(h.kind));
    const state = initialWorkflowState(session, {
      context,
      nanocycles: ncs.map(toNanocycleBrief),
      pendingHoldPoints: holds.map(toHoldPointBrief),
      execution: project.settings.execution,
      ...(session.type === 'review'
        ? { review: await reviewFromRecord(this.db, session.id, project.defaultBranch) }
        : {}),
    });
    await this.deps.temporal.workflow.start<typeof sessionWorkflow>('sessionWorkflow', {
      taskQueue: this.deps.taskQueue,
      workflowId: sessionWorkflowId(session.id),
      args: [{ phase, state, stamp: commandStamp(session.id) }],
      workflowIdConflictPolicy: 'FAIL',
      memo: {
        repository: redactCredentials(session.repository),
        branch: session.branch,
        project: session.project,
        type: session.type,
      },
      typedSearchAttributes: [
        { key: projectKey, value: session.project },
        { key: statusKey, value: session.status },
        { key: typeKey, value: session.type },
      ],
    });
  }
}

/** What the record adds to a session's first workflow state: empty for a new session. */
export type RecordedWork = Pick<
  SessionWorkflowState,
  'context' | 'nanocycles' | 'pendingHoldPoints' | 'execution' | 'review'
>;

/**
 * The state a session's workflow starts from, in its first run: the session's record and what it
 * recorded of its work. The workflow tests start theirs from it too, so both start alike.
 */
export function initialWorkflowState(session: Session, recorded: RecordedWork): SessionWorkflowState {
  return {
    sessionId: session.id,
    project: session.project,
    repository: session.repository,
    type: session.type,
    branch: session.branch,
    status: session.status,
    startedAt: session.startedAt,
    lastActivityAt: new Date().toISOString(),
    activeTimeoutSeconds: session.config.activeTimeoutSeconds,
    pausedTimeoutSeconds: session.config.pausedTimeoutSeconds,
    workspacePath: session.workspacePath,
    // A recovered session's workspace steps go back to the host that holds it (or move off it).
    ...(session.workspaceHost ? { workspaceHost: session.workspaceHost } : {}),
    startCommit: session.startCommit,
    activeNanocycle: null,
    activeTpus: 0,
    endReason: session.endReason,
    failure: null,
    run: 1,
    nanocycleCounter: recorded.nanocycles.length,
    ...recorded,
  };
}
