import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  WorkflowClient,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  type UpdateDefinition,
} from '@temporalio/common';
import { sessionCan, typesAllowing, type Capability } from '../contracts/capabilities.js';
import { TevisError, isUniqueViolation } from '../contracts/errors.js';
import { redactCredentials } from '../contracts/git-inputs.js';
import { newSessionId, sessionWorkflowId } from '../contracts/ids.js';
import { PROBLEM_TYPE_PREFIX, type ProblemType } from '../contracts/problems.js';
import type { SwitchResult } from '../contracts/responses.js';
import type { CommandStamp } from '../contracts/sealed-commands.js';
import type { Session, SessionConfig, SessionCreate } from '../contracts/session.js';
import type { SessionWorkflowState } from '../contracts/session-state.js';
import { isOpenStatus, type SessionType } from '../contracts/session-types.js';
import type { OpenDatabase } from '../db/database.js';
import { getProject } from '../db/projects-store.js';
import { listHoldPoints, toHoldPointBrief } from '../db/hold-points-store.js';
import { listNanocycles, toNanocycleBrief } from '../db/nanocycles-store.js';
import {
  findActiveSession,
  findSessionContext,
  getSession,
  insertSession,
  latestSessionConfig,
  throwActiveSessionConflict,
  updateSession,
} from '../db/sessions-store.js';
import { appendEvent } from '../db/timeline-store.js';
import { forgetUnstartedSession } from '../db/forget-unstarted-session.js';
import { isTemporalUnavailable } from './outage-errors.js';
import { requireTemporal } from './temporal-reachability.js';
import { commandStamp, executeStampedUpdate } from './command-stamp.js';
import { toProblem } from './problem.js';
import { reviewFromRecord } from './review-record.js';
import type { SessionWorkflowInput } from '../workflows/session-input.js';
import {
  endUpdate,
  pauseUpdate,
  restoreWorkspaceUpdate,
  resumeUpdate,
  sessionStateQuery,
  touchSignal,
} from '../workflows/session-messages.js';
import { projectKey, statusKey, typeKey } from '../workflows/session-search-attributes.js';
import type { sessionWorkflow } from '../workflows/session-workflow.js';

export interface LifecycleDeps {
  db: OpenDatabase;
  temporal: Client;
  taskQueue: string;
}

type SessionHandle = WorkflowHandle<typeof sessionWorkflow>;

/** How long a read waits for the workflow's touch and query before answering from the record. */
const BEST_EFFORT_DEADLINE_MS = 3000;
/** Starting a workflow is one RPC; past this, Temporal is treated as unavailable (503). */
const START_DEADLINE_MS = 5000;

/** The session's commands as the API offers them: the record and the workflow kept in step. */
export class SessionLifecycle {
  /**
   * Temporal answers a query on a closed (terminated, failed, completed) workflow too, by
   * replaying its history on a worker; live state must come from a running one only.
   */
  private readonly runningOnly: WorkflowClient;

  constructor(private readonly deps: LifecycleDeps) {
    this.runningOnly = new WorkflowClient({
      connection: deps.temporal.connection,
      namespace: deps.temporal.options.namespace,
      dataConverter: deps.temporal.options.dataConverter,
      queryRejectCondition: 'NOT_OPEN',
    });
  }

  private get db() {
    return this.deps.db.db;
  }

  handle(sessionId: string): SessionHandle {
    return this.deps.temporal.workflow.getHandle<typeof sessionWorkflow>(sessionWorkflowId(sessionId));
  }

  /** An Update on the session's workflow, stamped as the workflow demands (see command-stamp.ts). */
  async update<Ret, Args extends unknown[]>(
    sessionId: string,
    update: UpdateDefinition<Ret, [...Args, CommandStamp?]>,
    args: Args,
  ): Promise<Ret> {
    // Unbounded, an Update to an unreachable Temporal waits out the client's retries (~20 s).
    await requireTemporal(this.deps.temporal);
    return executeStampedUpdate(this.handle(sessionId), sessionId, update, args);
  }

  async resolveConfig(input: SessionCreate & { project: string }): Promise<SessionConfig> {
    const project = await getProject(this.db, input.project);
    const previous = input.fromConfig ? await latestSessionConfig(this.db, project.name) : null;
    if (input.fromConfig && !previous) {
      throw new TevisError(
        'no-previous-session',
        `project "${project.name}" has no earlier session to take a configuration from; create one without --from-config`,
      );
    }
    const type: SessionType = input.type ?? previous?.type ?? 'development';
    const branch =
      input.branch ?? previous?.branch ?? (type === 'review' ? undefined : project.defaultBranch);
    if (!branch)
      throw new TevisError(
        'validation',
        'a review session is bound to a branch: pass --branch (API: "branch")',
      );
    if (type === 'review' && branch === project.defaultBranch) {
      throw new TevisError(
        'validation',
        `a review session reviews a branch against the project's default branch (${project.defaultBranch}); pass another --branch, e.g. --branch feat/…`,
      );
    }
    return {
      type,
      branch,
      activeTimeoutSeconds:
        (input.activeTimeout as number | undefined) ??
        previous?.activeTimeoutSeconds ??
        project.settings.activeTimeoutSeconds,
      pausedTimeoutSeconds:
        (input.pausedTimeout as number | undefined) ??
        previous?.pausedTimeoutSeconds ??
        project.settings.pausedTimeoutSeconds,
    };
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
    const project = await getProject(this.db, input.project);
    const config = await this.resolveConfig(input);
    await requireTemporal(this.deps.temporal);
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
    await appendEvent(this.db, {
      sessionId: id,
      type: 'session.created',
      data: { project: project.name, type: config.type, branch: config.branch },
    });
    const session = await getSession(this.db, id);
    try {
      await this.deps.temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.startWorkflow(session, 'start'),
      );
    } catch (error) {
      if (isTemporalUnavailable(error)) {
        await forgetUnstartedSession(this.db, id);
        await this.deps.temporal.connection
          .withDeadline(Date.now() + BEST_EFFORT_DEADLINE_MS, () =>
            this.handle(id).terminate('its create was answered 503: Temporal was unavailable'),
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

  private async startWorkflow(session: Session, phase: SessionWorkflowInput['phase']): Promise<void> {
    const ncs = await listNanocycles(this.db, session.id);
    const project = await getProject(this.db, session.project);
    const context = await findSessionContext(this.db, session.id);
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
      context,
      nanocycles: ncs.map(toNanocycleBrief),
      activeNanocycle: null,
      activeTpus: 0,
      pendingHoldPoints: holds.map(toHoldPointBrief),
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

  /** The workflow's own state while it runs; null when it is not running or does not answer. */
  async liveState(sessionId: string): Promise<SessionWorkflowState | null> {
    // Best effort with a deadline: with Temporal down, the record answers in seconds, not after
    // the client's own retries.
    return this.deps.temporal.connection
      .withDeadline(Date.now() + BEST_EFFORT_DEADLINE_MS, () =>
        this.runningOnly
          .getHandle<typeof sessionWorkflow>(sessionWorkflowId(sessionId))
          .query(sessionStateQuery),
      )
      .catch(() => null);
  }

  async requireCapability(sessionId: string, capability: Capability): Promise<Session> {
    const session = await getSession(this.db, sessionId);
    if (!sessionCan(session.type, capability)) {
      throw new TevisError(
        'capability-not-allowed',
        `a ${session.type} session cannot do "${capability}"; that takes a ${typesAllowing(capability).join(' or ')} session (\`tevis session create --type ${typesAllowing(capability)[0]}\`)`,
        { capability, sessionType: session.type },
      );
    }
    return session;
  }

  async requireOpen(sessionId: string): Promise<Session> {
    const session = await getSession(this.db, sessionId);
    if (!isOpenStatus(session.status)) {
      throw new TevisError(
        'invalid-transition',
        `session ${sessionId} is ${session.status}; start a new one with \`tevis session create --project ${session.project}\``,
        { sessionStatus: session.status },
      );
    }
    return session;
  }

  /** Counts as activity: resets the inactivity timer. Best effort: a read never fails on it. */
  async touch(session: Session): Promise<void> {
    if (!isOpenStatus(session.status)) return;
    await Promise.allSettled([
      this.deps.temporal.connection.withDeadline(Date.now() + BEST_EFFORT_DEADLINE_MS, () =>
        this.handle(session.id).signal(touchSignal, commandStamp(session.id)),
      ),
      updateSession(this.db, session.id, { lastActivityAt: new Date() }),
    ]);
  }

  async pause(sessionId: string): Promise<Session> {
    await this.requireOpen(sessionId);
    await this.update(sessionId, pauseUpdate, []);
    return getSession(this.db, sessionId);
  }

  async resume(sessionId: string): Promise<Session> {
    const session = await this.requireOpen(sessionId);
    await this.resumeOrConflict(session);
    return getSession(this.db, sessionId);
  }

  /**
   * The resume Update; when the record refuses it because another session of the project is
   * active (the workflow has stepped back to paused), the conflict as create gives it: naming
   * that session and the ways out, read now.
   */
  private async resumeOrConflict(session: Session): Promise<void> {
    try {
      await this.update(session.id, resumeUpdate, []);
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
    const target = await this.requireOpen(sessionId);
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

    const paused: string[] = [];
    for (const id of toPause) {
      try {
        await this.update(id, pauseUpdate, []);
        paused.push(id);
      } catch (error) {
        throw await this.switchFailure(error, `could not pause ${id}`, [sessionId, ...toPause]);
      }
    }
    try {
      await this.resumeOrConflict(target);
    } catch (error) {
      // Back to where the user was: the session that was active takes its slot again.
      for (const id of paused) await this.update(id, resumeUpdate, []).catch(() => undefined);
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

  async end(sessionId: string): Promise<Session> {
    const session = await getSession(this.db, sessionId);
    if (!isOpenStatus(session.status)) {
      throw new TevisError('invalid-transition', `session ${sessionId} is already ${session.status}`, {
        sessionStatus: session.status,
      });
    }
    await this.update(sessionId, endUpdate, []);
    return getSession(this.db, sessionId);
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
    const workflowStatus = await this.workflowStatus(sessionId);
    if (workflowStatus === 'RUNNING') {
      if (
        session.workspacePath &&
        !existsSync(join(session.workspacePath, '.git')) &&
        (session.status === 'active' || session.status === 'paused')
      ) {
        const restored = await this.update(sessionId, restoreWorkspaceUpdate, []);
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
      await this.startWorkflow(session, 'recover');
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

  async workflowStatus(sessionId: string): Promise<string> {
    try {
      const description = await this.handle(sessionId).describe();
      return description.status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'NOT_FOUND';
      throw error;
    }
  }
}
