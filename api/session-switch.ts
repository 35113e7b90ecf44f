import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TevisError } from '../contracts/errors.js';
import { PROBLEM_TYPE_PREFIX, type ProblemType } from '../contracts/problems.js';
import type { SwitchResult } from '../contracts/responses.js';
import type { Session } from '../contracts/session.js';
import type { Database } from '../db/database.js';
import { findActiveSession, getSession, throwActiveSessionConflict } from '../db/sessions-store.js';
import { pauseUpdate, resumeUpdate } from '../workflows/session-messages.js';
import { toProblem } from './problem.js';
import { requireOpen } from './session-guards.js';
import type { SessionWorkflows } from './session-workflows.js';

/** Which session of a project is the active one: resuming one, and switching to another. */
export class SessionSwitch {
  constructor(
    private readonly db: Database,
    private readonly workflows: SessionWorkflows,
    /** Counts as activity (SessionLifecycle.touch): switching to the active session is one. */
    private readonly touch: (session: Session) => Promise<void>,
  ) {}

  /**
   * The resume Update, its caller having probed Temporal (readProbed); when the record refuses
   * it because another session of the project is active (the workflow has stepped back to
   * paused), the conflict as create gives it: naming that session and the ways out, read now.
   */
  async resumeOrConflict(session: Session): Promise<void> {
    try {
      await this.workflows.send(session.id, resumeUpdate, []);
    } catch (error) {
      if (
        error instanceof WorkflowUpdateFailedError &&
        error.cause instanceof ApplicationFailure &&
        error.cause.type === 'session-conflict'
      ) {
        await throwActiveSessionConflict(this.db, session.project);
      }
      throw error;
    }
  }

  /**
   * Makes `sessionId` the project's active session in one step: pauses the one active now (the
   * server finds it), then resumes the chosen one. Sessions of other projects are left alone:
   * each project has its own active one. Nothing is changed before every
   * check has passed; if the resume fails after the pause, the paused one is resumed again, and
   * the error says what state each session is left in.
   */
  async switchTo(sessionId: string): Promise<SwitchResult> {
    // One probe for both Updates, beside the reads; switching to the active session needs none.
    const reachable = this.workflows.probe();
    const target = await requireOpen(this.db, sessionId);
    if (target.status === 'active' || target.status === 'starting') {
      await this.touch(target);
      return {
        session: await getSession(this.db, sessionId),
        resumed: false,
        paused: null,
        message: `${sessionId} is already the active session of ${target.project}; nothing changed`,
      };
    }
    if (target.status !== 'paused') {
      throw new TevisError(
        'invalid-transition',
        `session ${sessionId} is ${target.status}; only a paused session can be switched to`,
        { sessionStatus: target.status },
      );
    }
    const toPause: string[] = [];
    const active = await findActiveSession(this.db, target.project);
    if (active?.status === 'starting') {
      throw new TevisError(
        'session-conflict',
        `project "${target.project}" has a session ${active.id} still starting; wait until it is active, then switch again (nothing changed)`,
        { project: target.project, activeSession: active.id, activeStatus: active.status },
      );
    }
    if (active) toPause.push(active.id);
    await reachable;

    const paused: string[] = [];
    for (const id of toPause) {
      try {
        await this.workflows.send(id, pauseUpdate, []);
        paused.push(id);
      } catch (error) {
        throw await this.switchFailure(error, `could not pause ${id}`, [sessionId, ...toPause]);
      }
    }
    try {
      await this.resumeOrConflict(target);
    } catch (error) {
      // Back to where the user was: the session that was active takes its slot again.
      for (const id of paused) await this.workflows.update(id, resumeUpdate, []).catch(() => undefined);
      throw await this.switchFailure(error, `could not resume ${sessionId}`, [sessionId, ...toPause]);
    }
    const pausedNames = paused.length ? `; paused ${paused.join(', ')}` : '';
    return {
      session: await getSession(this.db, sessionId),
      resumed: true,
      paused: paused[0] ?? null,
      message: `switched to ${sessionId}: resumed${pausedNames}`,
    };
  }

  /** The error of a switch that stopped half way, its detail saying where each session now is. */
  private async switchFailure(error: unknown, what: string, ids: string[]): Promise<TevisError> {
    const found = toProblem(error);
    const type = found.type.slice(PROBLEM_TYPE_PREFIX.length) as ProblemType;
    const states = await Promise.all(
      ids.map(
        async (id) => [id, (await getSession(this.db, id).catch(() => null))?.status ?? 'unknown'] as const,
      ),
    );
    const now = states.map(([id, status]) => `${id} is ${status}`).join(', ');
    return new TevisError(type, `${what}: ${found.detail}. Now ${now}`, {
      ...Object.fromEntries(
        Object.entries(found).filter(([k]) => !['type', 'title', 'status', 'detail'].includes(k)),
      ),
      sessions: Object.fromEntries(states),
    });
  }
}
