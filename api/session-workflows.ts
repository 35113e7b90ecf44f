import { WorkflowClient, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { sessionWorkflowId } from '../contracts/ids.js';
import type { CommandStamp } from '../contracts/sealed-commands.js';
import type { SessionWorkflowSummary } from '../contracts/session-state.js';
import type { OpenDatabase } from '../db/database.js';
import { sessionStateQuery } from '../workflows/session-messages.js';
import type { sessionWorkflow } from '../workflows/session-workflow.js';
import { executeStampedUpdate } from './command-stamp.js';
import { readWhileProbing, requireTemporal } from './temporal-reachability.js';

export interface LifecycleDeps {
  db: OpenDatabase;
  temporal: Client;
  taskQueue: string;
}

export type SessionHandle = WorkflowHandle<typeof sessionWorkflow>;

/** How long a read waits for the workflow's touch and query before answering from the record. */
export const BEST_EFFORT_DEADLINE_MS = 3000;

/**
 * A session's workflow as the API reaches it: its handle, its stamped Updates, its live state.
 * The command classes beside this one (session-lifecycle.ts, nanocycle-commands.ts,
 * review-commands.ts, context-commands.ts) send their Updates through it; routes never do.
 */
export class SessionWorkflows {
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
    return this.send(sessionId, update, args);
  }

  /**
   * Temporal's probe, started now and awaited before the first Update of a command that may
   * need none (the promise never rejects unawaited: an unhandled rejection would crash the API).
   */
  probe(): Promise<void> {
    const probing = requireTemporal(this.deps.temporal);
    probing.catch(() => undefined);
    return probing;
  }

  /** The record's read (a command's checks) with Temporal's probe beside it; see readWhileProbing. */
  readProbed<T>(read: Promise<T>): Promise<T> {
    return readWhileProbing(this.deps.temporal, read);
  }

  /** An Update without a probe of its own: for a command that has probed already (readProbed). */
  send<Ret, Args extends unknown[]>(
    sessionId: string,
    update: UpdateDefinition<Ret, [...Args, CommandStamp?]>,
    args: Args,
  ): Promise<Ret> {
    return executeStampedUpdate(this.handle(sessionId), sessionId, update, args);
  }

  /** The workflow's own state while it runs; null when it is not running or does not answer. */
  async liveState(sessionId: string): Promise<SessionWorkflowSummary | null> {
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
