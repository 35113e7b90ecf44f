import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { AgentPermissionRequest } from '../contracts/agent-permission.js';
import type { LogStreamName, NanocycleData } from '../contracts/nanocycle-records.js';
import type { HoldPointKind, HoldPointStatus, NanocycleStatus } from '../contracts/nanocycle.js';
import type { ProjectSettings } from '../contracts/project.js';
import type { SessionConfig } from '../contracts/session.js';
import type { LoadedContext } from '../contracts/session-state.js';
import type { SessionSummary } from '../contracts/summary.js';
import type { SessionStatus } from '../contracts/session-types.js';
import type { TimelineEvent } from '../contracts/timeline.js';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const projects = pgTable('projects', {
  name: text('name').primaryKey(),
  repository: text('repository').notNull(),
  defaultBranch: text('default_branch').notNull(),
  settings: jsonb('settings').$type<ProjectSettings>().notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    project: text('project')
      .notNull()
      .references(() => projects.name),
    type: text('type').notNull(),
    branch: text('branch').notNull(),
    status: text('status').$type<SessionStatus>().notNull(),
    config: jsonb('config').$type<SessionConfig>().notNull(),
    workspacePath: text('workspace_path'),
    /** The worker host that holds the workspace (contracts/worker-hosts.ts); null before hosts. */
    workspaceHost: text('workspace_host'),
    startCommit: text('start_commit'),
    context: jsonb('context').$type<LoadedContext>(),
    plan: text('plan'),
    startedAt: at('started_at').notNull().defaultNow(),
    endedAt: at('ended_at'),
    endReason: text('end_reason'),
    failure: text('failure'),
    lastActivityAt: at('last_activity_at').notNull().defaultNow(),
    /** Last timeline sequence number handed out; bumped under the row lock so seqs never collide. */
    eventSeq: integer('event_seq').notNull().default(0),
  },
  (t) => [
    // The database itself enforces one active session per project, so concurrent creates, resumes
    // and switches race safely. Paused sessions wait aside, any number of them. `ending` does not
    // count: an ending session runs no more work (only its summary is being written), and a user
    // who ends one and at once creates the next must not be refused.
    uniqueIndex('sessions_one_active_per_project').on(t.project).where(sql`status in ('starting', 'active')`),
    index('sessions_project_started').on(t.project, t.startedAt),
    // GET /sessions pages newest first by (started_at, id): read backwards, a page stops after
    // `limit` rows instead of sorting every session.
    index('sessions_started_id').on(t.startedAt, t.id),
  ],
);

export const nanocycles = pgTable(
  'nanocycles',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id),
    id: text('id').notNull(),
    name: text('name').notNull(),
    goal: text('goal'),
    status: text('status').$type<NanocycleStatus>().notNull(),
    branch: text('branch').notNull(),
    executor: text('executor'),
    createdAt: at('created_at').notNull().defaultNow(),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
    data: jsonb('data').$type<NanocycleData>().notNull().default({}),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.id] })],
);

export const holdPoints = pgTable(
  'hold_points',
  {
    /** HP-001, HP-002, … per session. */
    id: text('id').notNull(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id),
    nanocycleId: text('nanocycle_id'),
    kind: text('kind').$type<HoldPointKind>().notNull(),
    reason: text('reason').notNull(),
    status: text('status').$type<HoldPointStatus>().notNull(),
    openedAt: at('opened_at').notNull().defaultNow(),
    resolvedAt: at('resolved_at'),
    resolvedBy: text('resolved_by'),
    comment: text('comment'),
    /** An ACP agent's permission request (kind `agent` only): the tool call and its options. */
    agentRequest: jsonb('agent_request').$type<AgentPermissionRequest>(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.id] })],
);

export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    data: jsonb('data').$type<TimelineEvent['data']>().notNull(),
    at: at('at').notNull().defaultNow(),
    key: text('key'),
  },
  (t) => [
    uniqueIndex('events_session_seq').on(t.sessionId, t.seq),
    uniqueIndex('events_session_key').on(t.sessionId, t.key),
  ],
);

/**
 * Every line a TPU printed, in order. `seq` runs across all runs of one nanocycle (a re-run after
 * a hold point continues the numbering), and is what makes writing idempotent: a retried activity
 * that re-reads the container's output from the start writes the same (session, nanocycle, seq)
 * rows again, and the unique index drops them.
 */
export const nanocycleLogs = pgTable(
  'nanocycle_logs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id),
    nanocycleId: text('nanocycle_id').notNull(),
    /** Which run of the nanocycle's command printed it (1, then 2 after an agent's hold point, …). */
    run: integer('run').notNull(),
    seq: integer('seq').notNull(),
    /**
     * Which attempt of the run's activity stored it (1, then 2 after a worker was lost, …). A
     * sandbox run restarts from the start on a new attempt, so its first lines appear once per
     * attempt; this tells the copies apart.
     */
    attempt: integer('attempt').notNull().default(1),
    /**
     * `tevis` for what Tevis itself says in the output (a run restarted), not the TPU; `acp` for
     * the typed lines of an ACP agent's runner (one JSON object each, see tpu/acp/runner-lines.ts).
     */
    stream: text('stream').$type<LogStreamName>().notNull(),
    line: text('line').notNull(),
    /** When the line was printed (the engine's timestamp for a container), not when it was stored. */
    at: at('at').notNull(),
  },
  (t) => [
    uniqueIndex('nanocycle_logs_session_nanocycle_seq').on(t.sessionId, t.nanocycleId, t.seq),
    check('nanocycle_logs_stream', sql`${t.stream} in ('stdout', 'stderr', 'tevis', 'acp')`),
  ],
);

export const summaries = pgTable('summaries', {
  sessionId: text('session_id')
    .primaryKey()
    .references(() => sessions.id),
  data: jsonb('data').$type<SessionSummary>().notNull(),
  markdown: text('markdown').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

/** What later sessions of a project load as memory: earlier summaries and notes. */
export const projectMemory = pgTable(
  'project_memory',
  {
    id: serial('id').primaryKey(),
    project: text('project')
      .notNull()
      .references(() => projects.name),
    sessionId: text('session_id'),
    kind: text('kind').notNull(),
    content: text('content').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('project_memory_project').on(t.project, t.createdAt),
    uniqueIndex('project_memory_session_kind').on(t.sessionId, t.kind),
  ],
);

/**
 * The answers to requests sent with an `Idempotency-Key` (api/idempotency.ts): a repeat of the
 * request gets the stored answer instead of running again. In the database, not in memory, so a
 * retry that reaches another API instance finds it too. `scope` is method, path and who asked.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** `running` while the first request runs, `done` once its answer is stored. */
    status: text('status').$type<'running' | 'done'>().notNull(),
    responseStatus: integer('response_status'),
    responseHeaders: jsonb('response_headers').$type<Record<string, string>>(),
    responseBody: text('response_body'),
    createdAt: at('created_at').notNull().defaultNow(),
    completedAt: at('completed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.key] }),
    index('idempotency_keys_created').on(t.createdAt),
    check('idempotency_keys_status', sql`${t.status} in ('running', 'done')`),
  ],
);

/**
 * Every version of a planning session's plan, numbered 1, 2, 3, … per session. Written in one
 * transaction with its `plan.drafted` event; `sessions.plan` keeps the latest for older readers.
 */
export const planVersions = pgTable(
  'plan_versions',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id),
    version: integer('version').notNull(),
    plan: text('plan').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.version] })],
);

/** Worker hosts that have started a worker: what `tevis status` lists beside their sessions. */
export const workerHosts = pgTable('worker_hosts', {
  name: text('name').primaryKey(),
  lastStartedAt: at('last_started_at').notNull().defaultNow(),
});
