import type { HoldPointRecord } from '../contracts/nanocycle-records.js';
import type { SessionWithState } from '../contracts/responses.js';
import type { NanocycleBrief, SessionLiveState, WorkspaceState } from '../contracts/session-state.js';
import { isOpenStatus } from '../contracts/session-types.js';
import type { OpenDatabase } from '../db/database.js';
import { listHoldPoints, toHoldPointBrief } from '../db/hold-points-store.js';
import { listNanocycles, toNanocycleBrief } from '../db/nanocycles-store.js';
import { getProject } from '../db/projects-store.js';
import { findSessionViewRow } from '../db/session-view-store.js';
import { readWorkspaceState } from '../git/workspace-state.js';
import { reviewFromRecord } from './review-record.js';
import { SessionFactsCache } from './session-facts-cache.js';
import type { SessionLifecycle } from './session-lifecycle.js';

/**
 * `GET /sessions/{id}`: the session with its three views (active context, workspace,
 * execution), read from the record. The workflow keeps the record current through the
 * activities it runs (record-transition.ts, nanocycle-records.ts), each awaited before the
 * command that caused it answers, so a read right after a command shows it. A read never asks
 * the workflow, signals it or writes; the two facts the record cannot hold (the workspace's git
 * state, and whether Temporal still runs the workflow) come from a cache kept per session.
 */
export class SessionView {
  private readonly workspaces: SessionFactsCache<WorkspaceState>;
  private readonly workflows: SessionFactsCache<boolean>;

  constructor(
    private readonly database: OpenDatabase,
    private readonly lifecycle: SessionLifecycle,
  ) {
    this.workspaces = new SessionFactsCache(database);
    this.workflows = new SessionFactsCache(database);
  }

  async read(id: string): Promise<SessionWithState> {
    const db = this.database.db;
    const { session, context, eventSeq } = await findSessionViewRow(db, id);
    const open = isOpenStatus(session.status);
    const path = session.workspacePath;
    const [ncs, holds, review, workspace, running] = await Promise.all([
      listNanocycles(db, id),
      listHoldPoints(db, id),
      session.type === 'review'
        ? getProject(db, session.project).then((p) => reviewFromRecord(db, id, p.defaultBranch))
        : null,
      path ? this.workspaces.read(id, path, eventSeq, () => readWorkspaceState(path)) : null,
      open ? this.workflows.read(id, '', eventSeq, () => this.lifecycle.workflowRunning(id)) : false,
    ]);
    const nanocycles = ncs.map(toNanocycleBrief).map((nc) => withConflicts(nc, holds));
    const busy = open ? nanocycles.filter((n) => n.status === 'running') : [];
    const pendingHoldPoints = holds.filter((h) => h.status === 'pending').map(toHoldPointBrief);
    const state: SessionLiveState = {
      activeContext: {
        sessionId: id,
        project: session.project,
        repository: session.repository,
        branch: session.branch,
        type: session.type,
        startedAt: session.startedAt,
        nanocycles,
        activeNanocycle: busy[0]?.id ?? null,
        context,
      },
      workspace,
      execution: {
        status: !open ? 'stopped' : busy.length ? 'running' : pendingHoldPoints.length ? 'waiting' : 'idle',
        activeTpus: busy.length,
        pendingHoldPoints,
      },
      ...(review ? { review } : {}),
      live: running,
    };
    return { session, state };
  }
}

/** How many merges of it conflicted, as the workflow counts them: one conflict hold point each. */
function withConflicts(nc: NanocycleBrief, holds: HoldPointRecord[]): NanocycleBrief {
  const conflicts = holds.filter((h) => h.nanocycleId === nc.id && h.kind === 'conflict').length;
  return conflicts ? { ...nc, conflicts } : nc;
}
