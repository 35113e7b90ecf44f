import { readWorkspaceState } from '../git/workspace-state.js';
import type { Session } from '../contracts/session.js';
import type { SessionLiveState } from '../contracts/session-state.js';
import { isOpenStatus } from '../contracts/session-types.js';
import type { Database } from '../db/database.js';
import { listHoldPoints, toHoldPointBrief } from '../db/hold-points-store.js';
import { listNanocycles, toNanocycleBrief } from '../db/nanocycles-store.js';
import { getProject } from '../db/projects-store.js';
import { findSessionContext } from '../db/sessions-store.js';
import { reviewFromRecord } from './review-record.js';
import type { SessionLifecycle } from './session-lifecycle.js';

/**
 * The three views of a session (active context, workspace, execution). While the workflow runs
 * it answers for itself; otherwise the record answers and `live` says so.
 */
export async function sessionLiveState(
  db: Database,
  lifecycle: SessionLifecycle,
  session: Session,
): Promise<SessionLiveState> {
  // The workflow and git answer independently; ask both at once.
  const [state, workspace] = await Promise.all([
    isOpenStatus(session.status) ? lifecycle.liveState(session.id) : null,
    session.workspacePath ? readWorkspaceState(session.workspacePath) : null,
  ]);
  if (state) {
    return {
      activeContext: {
        sessionId: session.id,
        project: session.project,
        repository: session.repository,
        branch: state.branch,
        type: state.type,
        startedAt: state.startedAt,
        nanocycles: state.nanocycles,
        activeNanocycle: state.activeNanocycle,
        context: state.context,
      },
      workspace,
      execution: {
        status: state.activeTpus > 0 ? 'running' : state.pendingHoldPoints.length ? 'waiting' : 'idle',
        activeTpus: state.activeTpus,
        pendingHoldPoints: state.pendingHoldPoints,
      },
      ...(state.review ? { review: state.review } : {}),
      live: true,
    };
  }
  const [context, ncs, holds, review] = await Promise.all([
    findSessionContext(db, session.id),
    listNanocycles(db, session.id),
    listHoldPoints(db, session.id),
    session.type === 'review'
      ? getProject(db, session.project).then((p) => reviewFromRecord(db, session.id, p.defaultBranch))
      : null,
  ]);
  return {
    activeContext: {
      sessionId: session.id,
      project: session.project,
      repository: session.repository,
      branch: session.branch,
      type: session.type,
      startedAt: session.startedAt,
      nanocycles: ncs.map(toNanocycleBrief),
      activeNanocycle: null,
      context,
    },
    workspace,
    execution: {
      status: 'stopped',
      activeTpus: 0,
      pendingHoldPoints: holds.filter((h) => h.status === 'pending').map(toHoldPointBrief),
    },
    ...(review ? { review } : {}),
    live: false,
  };
}
