import { and, desc, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import { TevisError, isUniqueViolation } from '../contracts/errors.js';
import type { Session, SessionConfig } from '../contracts/session.js';
import type { SessionCursor } from '../contracts/session-cursor.js';
import {
  ACTIVE_SLOT_STATUSES,
  OPEN_SESSION_STATUSES,
  type EndReason,
  type SessionStatus,
  type SessionType,
} from '../contracts/session-types.js';
import type { LoadedContext } from '../contracts/session-state.js';
import type { Database } from './database.js';
import { projects, sessions } from './schema.js';

/**
 * The columns a `Session` is made of: not the loaded context or the plan, which can be large and
 * which lists and commands never show (GET /sessions/{id} reads the context with getSessionRow).
 */
const { context: _context, plan: _plan, ...sessionColumns } = getTableColumns(sessions);
type SessionRow = Omit<typeof sessions.$inferSelect, 'context' | 'plan'>;

export function toSession(row: SessionRow, repository: string): Session {
  return {
    id: row.id,
    project: row.project,
    repository,
    type: row.type as SessionType,
    branch: row.branch,
    status: row.status as SessionStatus,
    config: row.config,
    workspacePath: row.workspacePath,
    ...(row.workspaceHost ? { workspaceHost: row.workspaceHost } : {}),
    startCommit: row.startCommit,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
    endReason: (row.endReason as EndReason | null) ?? null,
    failure: row.failure,
    lastActivityAt: row.lastActivityAt.toISOString(),
  };
}

/** The index that keeps one session per project active (see db/schema.ts). */
const ONE_ACTIVE_INDEX = 'sessions_one_active_per_project';

/** Names the session in the way and every way out of it: end it, pause it, or switch. */
const conflictMessage = (project: string, activeId: string, status: string) =>
  status === 'starting'
    ? `project "${project}" already has an active session ${activeId} (starting); wait until it is active and pause it with \`tevis session pause ${activeId}\`, or end it with \`tevis session end ${activeId}\``
    : `project "${project}" already has an active session ${activeId}; end it with \`tevis session end ${activeId}\`, pause it with \`tevis session pause ${activeId}\`, or switch in one step with \`tevis session switch <new>\``;

/** The project's session in its one active slot (starting or active), if any: which, and how far. */
export async function findActiveSession(
  db: Database,
  project: string,
): Promise<Pick<Session, 'id' | 'status'> | null> {
  const [row] = await db
    .select({ id: sessions.id, status: sessions.status })
    .from(sessions)
    .where(and(eq(sessions.project, project), inArray(sessions.status, [...ACTIVE_SLOT_STATUSES])));
  return row ? { id: row.id, status: row.status as SessionStatus } : null;
}

/** Throws the conflict that names the active session; used when the unique index refuses a row. */
export async function throwActiveSessionConflict(db: Database, project: string): Promise<never> {
  const active = await findActiveSession(db, project);
  // The active session paused, ended or failed between the refusal and this look: still a
  // conflict of the moment, not an unexpected error; trying again will find the way free.
  if (!active)
    throw new TevisError(
      'session-conflict',
      `project "${project}" had another active session a moment ago that is no longer active; try again`,
      { project },
    );
  throw new TevisError('session-conflict', conflictMessage(project, active.id, active.status), {
    project,
    activeSession: active.id,
    activeStatus: active.status,
  });
}

export interface NewSession {
  id: string;
  project: string;
  type: SessionType;
  branch: string;
  config: SessionConfig;
}

export async function insertSession(db: Database, session: NewSession): Promise<void> {
  try {
    await db.insert(sessions).values({ ...session, status: 'starting' });
  } catch (error) {
    if (isUniqueViolation(error, ONE_ACTIVE_INDEX)) return throwActiveSessionConflict(db, session.project);
    throw error;
  }
}

/** What the session loaded when it started (null before, or when there is no such session). */
export async function findSessionContext(db: Database, id: string): Promise<LoadedContext | null> {
  const [row] = await db.select({ context: sessions.context }).from(sessions).where(eq(sessions.id, id));
  return row?.context ?? null;
}

/** The session's status in the record, or null when there is no such session. */
export async function findSessionStatus(db: Database, id: string): Promise<SessionStatus | null> {
  const [row] = await db.select({ status: sessions.status }).from(sessions).where(eq(sessions.id, id));
  return row ? (row.status as SessionStatus) : null;
}

export async function getSession(db: Database, id: string): Promise<Session> {
  const row = await selectSessionRow(db, id, sessionColumns);
  return toSession(row.session, row.repository);
}

const sessionNotFound = (id: string) =>
  new TevisError('session-not-found', `no session "${id}"; list them with \`tevis session list --all\``, {
    session: id,
  });

/** The session's whole row with its project's repository; `session-not-found` when there is none. */
export function getSessionRow(db: Database, id: string) {
  return selectSessionRow(db, id, getTableColumns(sessions));
}

/** The session's `columns` with its project's repository: the one query getSession and getSessionRow make. */
async function selectSessionRow<C extends Partial<ReturnType<typeof getTableColumns<typeof sessions>>>>(
  db: Database,
  id: string,
  columns: C,
) {
  const [row] = await db
    .select({ session: columns, repository: projects.repository })
    .from(sessions)
    .innerJoin(projects, eq(projects.name, sessions.project))
    .where(eq(sessions.id, id));
  if (!row) throw sessionNotFound(id);
  return row;
}

export interface SessionFilter {
  project?: string;
  status?: SessionStatus;
  type?: SessionType;
  includeClosed: boolean;
  limit: number;
  /** Where the previous page stopped. */
  after?: SessionCursor;
}

/** Start times as whole microseconds since the epoch, exact (numeric), for a cursor to hold. */
const startedAtMicros = sql<string>`(extract(epoch from ${sessions.startedAt}) * 1000000)::bigint::text`;

/**
 * One page of sessions, newest first. Keyset over (startedAt, id) rather than an offset: a session
 * that starts meanwhile never shifts the pages after it, so following nextCursor misses none.
 */
export async function listSessions(
  db: Database,
  filter: SessionFilter,
): Promise<{ sessions: Session[]; next: SessionCursor | null }> {
  const where: SQL[] = [];
  if (filter.project) where.push(eq(sessions.project, filter.project));
  if (filter.type) where.push(eq(sessions.type, filter.type));
  if (filter.status) where.push(eq(sessions.status, filter.status));
  else if (!filter.includeClosed) where.push(inArray(sessions.status, [...OPEN_SESSION_STATUSES]));
  if (filter.after) {
    const at = sql`(timestamptz 'epoch' + ${filter.after.startedAtMicros}::bigint * interval '1 microsecond')`;
    where.push(sql`(${sessions.startedAt}, ${sessions.id}) < (${at}, ${filter.after.id})`);
  }
  const rows = await db
    .select({ session: sessionColumns, repository: projects.repository, micros: startedAtMicros })
    .from(sessions)
    .innerJoin(projects, eq(projects.name, sessions.project))
    .where(and(...where))
    .orderBy(desc(sessions.startedAt), desc(sessions.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  return {
    sessions: page.map((r) => toSession(r.session, r.repository)),
    next: rows.length > filter.limit && last ? { startedAtMicros: last.micros, id: last.session.id } : null,
  };
}

export async function latestSessionConfig(db: Database, project: string): Promise<SessionConfig | null> {
  const [row] = await db
    .select({ config: sessions.config })
    .from(sessions)
    .where(eq(sessions.project, project))
    .orderBy(desc(sessions.startedAt))
    .limit(1);
  return row?.config ?? null;
}

export interface SessionChanges {
  status?: SessionStatus;
  workspacePath?: string;
  workspaceHost?: string;
  startCommit?: string;
  context?: LoadedContext;
  endedAt?: Date | null;
  endReason?: EndReason | null;
  failure?: string | null;
  lastActivityAt?: Date;
  plan?: string;
}

/**
 * Updates the record; a status that would make a second session of the project active is a conflict.
 * A status change runs in its own (nested) transaction: inside a caller's transaction that is a
 * savepoint, so the refused update leaves the caller's transaction usable for the lookup that names
 * the conflict (see record-transition.ts, which writes the row and its event together).
 */
export async function updateSession(db: Database, id: string, changes: SessionChanges): Promise<void> {
  const update = (on: Database) =>
    on.update(sessions).set(changes).where(eq(sessions.id, id)).returning({ id: sessions.id });
  try {
    const [row] = changes.status === undefined ? await update(db) : await db.transaction(update);
    if (!row) throw new TevisError('session-not-found', `no session "${id}"`, { session: id });
  } catch (error) {
    if (isUniqueViolation(error, ONE_ACTIVE_INDEX)) {
      const [row] = await db.select({ project: sessions.project }).from(sessions).where(eq(sessions.id, id));
      return throwActiveSessionConflict(db, row?.project ?? '');
    }
    throw error;
  }
}
