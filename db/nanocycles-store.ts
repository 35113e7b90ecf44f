import { and, asc, eq } from 'drizzle-orm';
import { TevisError } from '../contracts/errors.js';
import type { Database } from './database.js';
import { nanocycles } from './schema.js';

export type NanocycleRow = typeof nanocycles.$inferSelect;

export interface NanocycleRecord {
  sessionId: string;
  id: string;
  name: string;
  goal: string | null;
  status: string;
  branch: string;
  executor?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  data?: Record<string, unknown>;
}

/** Writes the nanocycle as the workflow sees it now; repeating a write changes nothing. */
export async function saveNanocycle(db: Database, record: NanocycleRecord): Promise<void> {
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

export async function listNanocycles(db: Database, sessionId: string): Promise<NanocycleRow[]> {
  return db.select().from(nanocycles).where(eq(nanocycles.sessionId, sessionId)).orderBy(asc(nanocycles.id));
}

export async function getNanocycle(db: Database, sessionId: string, id: string): Promise<NanocycleRow> {
  const [row] = await db
    .select()
    .from(nanocycles)
    .where(and(eq(nanocycles.sessionId, sessionId), eq(nanocycles.id, id)));
  if (!row)
    throw new TevisError(
      'not-found',
      `session ${sessionId} has no nanocycle ${id}; list them with \`tevis nanocycle list\``,
      { nanocycle: id },
    );
  return row;
}
