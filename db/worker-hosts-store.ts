import { and, asc, inArray, isNotNull, sql } from 'drizzle-orm';
import { OPEN_SESSION_STATUSES } from '../contracts/session-types.js';
import type { Database } from './database.js';
import { sessions, workerHosts } from './schema.js';

/** A worker host says it is there; its first start adds it, later ones move its time on. */
export async function recordWorkerHostStarted(db: Database, name: string): Promise<void> {
  await db
    .insert(workerHosts)
    .values({ name })
    .onConflictDoUpdate({ target: workerHosts.name, set: { lastStartedAt: sql`now()` } });
}

export interface WorkerHostRecord {
  name: string;
  lastStartedAt: Date | null;
  /** Open sessions whose workspace it holds, oldest first. */
  sessions: string[];
}

/** Every host that started a worker or holds an open session's workspace, by name. */
export async function listWorkerHosts(db: Database): Promise<WorkerHostRecord[]> {
  const [hosts, open] = await Promise.all([
    db.select().from(workerHosts),
    db
      .select({ id: sessions.id, host: sessions.workspaceHost })
      .from(sessions)
      .where(and(isNotNull(sessions.workspaceHost), inArray(sessions.status, [...OPEN_SESSION_STATUSES])))
      .orderBy(asc(sessions.startedAt)),
  ]);
  const byName = new Map<string, WorkerHostRecord>(
    hosts.map((h) => [h.name, { name: h.name, lastStartedAt: h.lastStartedAt, sessions: [] }]),
  );
  for (const row of open) {
    const host = row.host!;
    if (!byName.has(host)) byName.set(host, { name: host, lastStartedAt: null, sessions: [] });
    byName.get(host)!.sessions.push(row.id);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
