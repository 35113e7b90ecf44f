import { and, asc, eq, sql } from 'drizzle-orm';
import { TevisError } from '../contracts/errors.js';
import type { NanocycleStatus } from '../contracts/nanocycle.js';
import type { NanocycleData, NanocycleRecord } from '../contracts/nanocycle-records.js';
import type { NanocycleBrief } from '../contracts/session-state.js';
import type { Database } from './database.js';
import { findSessionStatus } from './sessions-store.js';
import { nanocycles } from './schema.js';

type NanocycleRow = typeof nanocycles.$inferSelect;

/** The one way a nanocycle row becomes what the API answers (`GET /sessions/{id}/nanocycles`). */
export function toNanocycle(row: NanocycleRow): NanocycleRecord {
  return {
    id: row.id,
    name: row.name,
    goal: row.goal,
    status: row.status,
    branch: row.branch,
    executor: row.executor,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    data: row.data,
  };
}

/**
 * A nanocycle as the session workflow holds it, from the record: what `GET /sessions/{id}` shows
 * when the workflow does not answer, what a recovered workflow starts from and what the summary
 * counts. The same fields the workflow's own brief has, so the answer does not depend on who gave it.
 */
export function toNanocycleBrief(record: NanocycleRecord): NanocycleBrief {
  return {
    id: record.id,
    name: record.name,
    status: record.status,
    branch: record.branch,
    executor: record.executor,
    commit: record.data.commit ?? null,
    filesChanged: record.data.filesChanged ?? 0,
    tpuSeconds: record.data.tpuSeconds ?? 0,
    detail: record.data.detail ?? null,
  };
}

/** What the workflow writes about a nanocycle: absent fields are left as they are. */
export interface NanocycleWrite {
  sessionId: string;
  id: string;
  name: string;
  goal: string | null;
  status: NanocycleStatus;
  branch: string;
  executor?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  data?: NanocycleData;
}

/** Writes the nanocycle as the workflow sees it now; repeating a write changes nothing. */
export async function saveNanocycle(db: Database, record: NanocycleWrite): Promise<void> {
  const changes = {
    status: record.status,
    ...(record.executor !== undefined ? { executor: record.executor } : {}),
    ...(record.startedAt !== undefined
      ? { startedAt: record.startedAt ? new Date(record.startedAt) : null }
      : {}),
    ...(record.finishedAt !== undefined
      ? { finishedAt: record.finishedAt ? new Date(record.finishedAt) : null }
      : {}),
    ...(record.data !== undefined ? { data: record.data } : {}),
  };
  await db
    .insert(nanocycles)
    .values({
      sessionId: record.sessionId,
      id: record.id,
      name: record.name,
      goal: record.goal,
      branch: record.branch,
      ...changes,
    })
    .onConflictDoUpdate({ target: [nanocycles.sessionId, nanocycles.id], set: changes });
}

/** Sets some keys of the nanocycle's `data`, keeping the others (jsonb `||`). */
export async function mergeNanocycleData(
  db: Database,
  sessionId: string,
  id: string,
  patch: Partial<NanocycleData>,
): Promise<void> {
  await db
    .update(nanocycles)
    .set({ data: sql`${nanocycles.data} || ${JSON.stringify(patch)}::jsonb` })
    .where(and(eq(nanocycles.sessionId, sessionId), eq(nanocycles.id, id)));
}

/** Which executor runs the nanocycle, as soon as its TPU starts (the rest of the record is the workflow's). */
export async function setNanocycleExecutor(
  db: Database,
  sessionId: string,
  id: string,
  executor: string,
): Promise<void> {
  await db
    .update(nanocycles)
    .set({ executor })
    .where(and(eq(nanocycles.sessionId, sessionId), eq(nanocycles.id, id)));
}

export async function listNanocycles(db: Database, sessionId: string): Promise<NanocycleRecord[]> {
  const rows = await db
    .select()
    .from(nanocycles)
    .where(eq(nanocycles.sessionId, sessionId))
    .orderBy(asc(nanocycles.id));
  return rows.map(toNanocycle);
}

/** The nanocycle, or null when the record does not know it. */
export async function findNanocycle(
  db: Database,
  sessionId: string,
  id: string,
): Promise<NanocycleRecord | null> {
  const [row] = await db
    .select()
    .from(nanocycles)
    .where(and(eq(nanocycles.sessionId, sessionId), eq(nanocycles.id, id)));
  return row ? toNanocycle(row) : null;
}

export async function getNanocycle(db: Database, sessionId: string, id: string): Promise<NanocycleRecord> {
  const found = await findNanocycle(db, sessionId, id);
  // An unknown session is the error to name: its nanocycles are only missing because of it.
  if (!found && !(await findSessionStatus(db, sessionId)))
    throw new TevisError(
      'session-not-found',
      `no session "${sessionId}"; list them with \`tevis session list --all\``,
      { session: sessionId },
    );
  if (!found)
    throw new TevisError(
      'not-found',
      `session ${sessionId} has no nanocycle ${id}; list them with \`tevis nanocycle list\``,
      { nanocycle: id },
    );
  return found;
}
