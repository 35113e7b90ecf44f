import { randomBytes } from 'node:crypto';
import { isUniqueViolation } from '../contracts/errors.js';
import { redactCredentials } from '../contracts/git-inputs.js';
import { newSessionId } from '../contracts/ids.js';
import type { Session, SessionCreate } from '../contracts/session.js';
import { forgetUnstartedSession } from '../db/forget-unstarted-session.js';
import { getProject } from '../db/projects-store.js';
import { getSession, insertSession, updateSession } from '../db/sessions-store.js';
import { appendEvent } from '../db/timeline-store.js';
import { isTemporalUnavailable } from './outage-errors.js';
import { resolveSessionConfig } from './session-config.js';
import type { SessionWorkflowStarter } from './session-workflow-start.js';
import { BEST_EFFORT_DEADLINE_MS, type LifecycleDeps, type SessionWorkflows } from './session-workflows.js';
import { readWhileProbing } from './temporal-reachability.js';

/** Starting a workflow is one RPC; past this, Temporal is treated as unavailable (503). */
const START_DEADLINE_MS = 5000;

/** A new session: its record, then its workflow, with the retries and clean-ups that takes. */
export class SessionCreation {
  constructor(
    private readonly deps: LifecycleDeps,
    private readonly workflows: SessionWorkflows,
    private readonly starter: SessionWorkflowStarter,
  ) {}

  private get db() {
    return this.deps.db.db;
  }

  /**
   * Records the session (the database's partial unique index makes "one active session per
   * project" race-free), then starts its workflow. A workflow that cannot be started leaves a
   * failed session, not a half-open one; one refused because Temporal is unavailable leaves
   * nothing at all.
   *
   * Why this order for an outage: the record comes first because the unique index is what
   * makes concurrent creates safe, so Temporal is asked first (a bounded probe): with it down,
   * the create is refused before anything is written. If Temporal goes away between the probe
   * and the start, the start fails within its deadline and we cannot know whether it reached
   * the server. We then remove the record and its events anyway (a 503 must mean "send it
   * again", and the retry must not meet a `failed` twin or the open-session conflict), and
   * terminate `session-<id>` in case the start did land. If even that cannot reach Temporal, a
   * workflow that did start has no record: its first recorded step finds no session and, once
   * its retries are spent, the workflow fails; the API no longer lists the id. That window is the probe-to-start gap of one request
   * during an outage that begins inside it.
   */
  async create(input: SessionCreate & { project: string }): Promise<Session> {
    // The probe runs beside the reads; their refusals (no such project, a bad config) come first.
    const [project, config] = await readWhileProbing(
      this.deps.temporal,
      Promise.all([getProject(this.db, input.project), resolveSessionConfig(this.db, input)]),
    );
    let id = '';
    for (let attempt = 0; ; attempt++) {
      id = newSessionId(() => randomBytes(1)[0]!);
      try {
        await insertSession(this.db, {
          id,
          project: project.name,
          type: config.type,
          branch: config.branch,
          config,
        });
        break;
      } catch (error) {
        // A random id collision is retried; a project conflict is the caller's answer.
        if (attempt < 5 && isUniqueViolation(error, 'sessions_pkey')) continue;
        throw error;
      }
    }
    const [, session] = await Promise.all([
      appendEvent(this.db, {
        sessionId: id,
        type: 'session.created',
        data: { project: project.name, type: config.type, branch: config.branch },
      }),
      getSession(this.db, id),
    ]);
    try {
      await this.deps.temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.starter.start(session, 'start', project),
      );
    } catch (error) {
      if (isTemporalUnavailable(error)) {
        await forgetUnstartedSession(this.db, id);
        await this.deps.temporal.connection
          .withDeadline(Date.now() + BEST_EFFORT_DEADLINE_MS, () =>
            this.workflows.handle(id).terminate('its create was answered 503: Temporal was unavailable'),
          )
          .catch(() => {});
        throw error;
      }
      const message = redactCredentials((error as Error).message);
      await updateSession(this.db, id, {
        status: 'failed',
        failure: `workflow could not be started: ${message}`,
        endReason: 'failed',
        endedAt: new Date(),
      });
      await appendEvent(this.db, { sessionId: id, type: 'session.failed', data: { error: message } });
      throw error;
    }
    return session;
  }
}
