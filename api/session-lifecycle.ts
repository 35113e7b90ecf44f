import type { Capability } from '../contracts/capabilities.js';
import { TevisError } from '../contracts/errors.js';
import type { SwitchResult } from '../contracts/responses.js';
import type { Session, SessionCreate } from '../contracts/session.js';
import type { SessionWorkflowSummary } from '../contracts/session-state.js';
import { isOpenStatus } from '../contracts/session-types.js';
import { getSession, updateSession } from '../db/sessions-store.js';
import { endUpdate, pauseUpdate, touchSignal } from '../workflows/session-messages.js';
import { commandStamp } from './command-stamp.js';
import { SessionCreation } from './session-create.js';
import { requireCapability, requireOpen } from './session-guards.js';
import { SessionRecovery } from './session-recovery.js';
import { SessionSwitch } from './session-switch.js';
import { SessionWorkflowStarter } from './session-workflow-start.js';
import { BEST_EFFORT_DEADLINE_MS, type LifecycleDeps, SessionWorkflows } from './session-workflows.js';

/**
 * The session's commands as the API offers them: the record and the workflow kept in step.
 * Creating, recovering and switching are classes of their own beside this one; the commands of
 * a session's nanocycles, review and context are too (nanocycle-commands.ts, review-commands.ts,
 * context-commands.ts), all reaching the workflow through the one `SessionWorkflows`.
 */
export class SessionLifecycle {
  readonly workflows: SessionWorkflows;
  private readonly creation: SessionCreation;
  private readonly recovery: SessionRecovery;
  private readonly switching: SessionSwitch;

  constructor(private readonly deps: LifecycleDeps) {
    this.workflows = new SessionWorkflows(deps);
    const starter = new SessionWorkflowStarter(deps);
    this.creation = new SessionCreation(deps, this.workflows, starter);
    this.recovery = new SessionRecovery(deps, this.workflows, starter);
    this.switching = new SessionSwitch(deps.db.db, this.workflows, (session) => this.touch(session));
  }

  private get db() {
    return this.deps.db.db;
  }

  create(input: SessionCreate & { project: string }): Promise<Session> {
    return this.creation.create(input);
  }

  /** The workflow's own state while it runs; null when it is not running or does not answer. */
  liveState(sessionId: string): Promise<SessionWorkflowSummary | null> {
    return this.workflows.liveState(sessionId);
  }

  /**
   * Whether Temporal runs the session's workflow: a description from the server, which no worker
   * has to answer and which leaves nothing in the workflow's history. False when Temporal does
   * not answer within the deadline.
   */
  workflowRunning(sessionId: string): Promise<boolean> {
    return this.deps.temporal.connection
      .withDeadline(Date.now() + BEST_EFFORT_DEADLINE_MS, () => this.workflows.workflowStatus(sessionId))
      .then((status) => status === 'RUNNING')
      .catch(() => false);
  }

  requireCapability(sessionId: string, capability: Capability): Promise<Session> {
    return requireCapability(this.db, sessionId, capability);
  }

  requireOpen(sessionId: string): Promise<Session> {
    return requireOpen(this.db, sessionId);
  }

  /**
   * Counts as activity: resets the inactivity timer. For the writes that are not Updates (a file,
   * preferences, a plan, a switch); reads never call it. Best effort: the write never fails on it.
   */
  async touch(session: Session): Promise<void> {
    if (!isOpenStatus(session.status)) return;
    await Promise.allSettled([
      this.deps.temporal.connection.withDeadline(Date.now() + BEST_EFFORT_DEADLINE_MS, () =>
        this.workflows.handle(session.id).signal(touchSignal, commandStamp(session.id)),
      ),
      updateSession(this.db, session.id, { lastActivityAt: new Date() }),
    ]);
  }

  async pause(sessionId: string): Promise<Session> {
    await this.workflows.readProbed(this.requireOpen(sessionId));
    await this.workflows.send(sessionId, pauseUpdate, []);
    return getSession(this.db, sessionId);
  }

  async resume(sessionId: string): Promise<Session> {
    const session = await this.workflows.readProbed(this.requireOpen(sessionId));
    await this.switching.resumeOrConflict(session);
    return getSession(this.db, sessionId);
  }

  switchTo(sessionId: string): Promise<SwitchResult> {
    return this.switching.switchTo(sessionId);
  }

  async end(sessionId: string): Promise<Session> {
    const session = await getSession(this.db, sessionId);
    if (!isOpenStatus(session.status)) {
      throw new TevisError('invalid-transition', `session ${sessionId} is already ${session.status}`, {
        sessionStatus: session.status,
      });
    }
    await this.workflows.update(sessionId, endUpdate, []);
    return getSession(this.db, sessionId);
  }

  recover(sessionId: string): Promise<{ session: Session; recovered: boolean; message: string }> {
    return this.recovery.recover(sessionId);
  }
}
