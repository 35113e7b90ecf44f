import { eq } from 'drizzle-orm';
import { redactCredentials } from '../contracts/git-inputs.js';
import { sessionWorkflowId } from '../contracts/ids.js';
import type { Session } from '../contracts/session.js';
import type { SessionWorkflowState } from '../contracts/session-state.js';
import { listHoldPoints } from '../db/hold-points-store.js';
import { getProject } from '../db/projects-store.js';
import { nanocycles } from '../db/schema.js';
import { findSessionRow } from '../db/sessions-store.js';
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

  async start(session: Session, phase: SessionWorkflowInput['phase']): Promise<void> {
    const ncs = await this.db.select().from(nanocycles).where(eq(nanocycles.sessionId, session.id));
    const project = await getProject(this.db, session.project);
    const row = await findSessionRow(this.db, session.id);
    // A recovered session takes back the hold points it owns itself (merge, conflict); those a
    // lost nanocycle workflow waited on went with it.
    const holds = (await listHoldPoints(this.db, session.id)).filter(
      (h) => h.status === 'pending' && (h.kind === 'merge' || h.kind === 'conflict'),
    );
    const state: SessionWorkflowState = {
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
      startCommit: session.startCommit,
      context: row?.context ?? null,
      nanocycles: ncs.map((n) => ({
        id: n.id,
        name: n.name,
        status: n.status,
        branch: n.branch,
        executor: n.executor,
        commit: typeof n.data.commit === 'string' ? n.data.commit : null,
        filesChanged: typeof n.data.filesChanged === 'number' ? n.data.filesChanged : 0,
        tpuSeconds: typeof n.data.tpuSeconds === 'number' ? n.data.tpuSeconds : 0,
        detail: typeof n.data.detail === 'string' ? n.data.detail : null,
      })),
      activeNanocycle: null,
      activeTpus: 0,
      pendingHoldPoints: holds.map((h) => ({
        id: h.id,
        nanocycleId: h.nanocycleId,
        kind: h.kind,
        reason: h.reason,
        openedAt: h.openedAt.toISOString(),
      })),
      endReason: session.endReason,
      failure: null,
      run: 1,
      execution: project.settings.execution,
      nanocycleCounter: ncs.length,
      ...(session.type === 'review'
        ? { review: await reviewFromRecord(this.db, session.id, project.defaultBranch) }
        : {}),
    };
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
