import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { TevisError } from '../contracts/errors.js';
import type { Session } from '../contracts/session.js';
import { getSession, updateSession } from '../db/sessions-store.js';
import { restoreWorkspaceUpdate } from '../workflows/session-messages.js';
import type { SessionWorkflowStarter } from './session-workflow-start.js';
import type { LifecycleDeps, SessionWorkflows } from './session-workflows.js';
import { requireTemporal } from './temporal-reachability.js';

/** `tevis session recover`: a session whose workflow is gone is started again from its record. */
export class SessionRecovery {
  constructor(
    private readonly deps: LifecycleDeps,
    private readonly workflows: SessionWorkflows,
    private readonly starter: SessionWorkflowStarter,
  ) {}

  private get db() {
    return this.deps.db.db;
  }

  /**
   * Brings back a session whose workflow was terminated, failed or lost, from the record. A
   * session whose workflow runs is left alone.
   */
  async recover(sessionId: string): Promise<{ session: Session; recovered: boolean; message: string }> {
    let session = await getSession(this.db, sessionId);
    await requireTemporal(this.deps.temporal);
    if (session.status === 'ended') {
      throw new TevisError(
        'invalid-transition',
        `session ${sessionId} ended normally; its workspace and summary are kept, there is nothing to recover`,
        { sessionStatus: session.status },
      );
    }
    const workflowStatus = await this.workflows.workflowStatus(sessionId);
    if (workflowStatus === 'RUNNING') {
      if (
        session.workspacePath &&
        !existsSync(join(session.workspacePath, '.git')) &&
        (session.status === 'active' || session.status === 'paused')
      ) {
        const restored = await this.workflows.update(sessionId, restoreWorkspaceUpdate, []);
        return {
          session,
          recovered: restored.recloned,
          message: restored.recloned
            ? `session ${sessionId} is running; its workspace was gone and was cloned again at ${restored.head.slice(0, 12)} (work that was never pushed is lost)`
            : `session ${sessionId} is running fine; nothing to recover`,
        };
      }
      return {
        session,
        recovered: false,
        message: `session ${sessionId} is running fine; nothing to recover`,
      };
    }
    if (session.status === 'failed') {
      // Back into the project's one active slot; the unique index refuses it if another holds it.
      await updateSession(this.db, sessionId, {
        status: 'starting',
        failure: null,
        endReason: null,
        endedAt: null,
      });
      session = await getSession(this.db, sessionId);
    }
    try {
      await this.starter.start(session, 'recover');
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        return {
          session,
          recovered: false,
          message: `session ${sessionId} was recovered by another request; it is running`,
        };
      }
      throw error;
    }
    return {
      session,
      recovered: true,
      message: `session ${sessionId} recovered (workflow was ${workflowStatus.toLowerCase()})`,
    };
  }
}
