import { and, asc, eq } from 'drizzle-orm';
import type { Database } from './database.js';
import { holdPoints } from './schema.js';

export type HoldPointRow = typeof holdPoints.$inferSelect;

export async function insertHoldPoint(
  db: Database,
  hold: {
    sessionId: string;
    id: string;
    nanocycleId: string | null;
    kind: string;
    reason: string;
    openedAt: string;
  },
): Promise<void> {
  await db
    .insert(holdPoints)
    .values({ ...hold, openedAt: new Date(hold.openedAt), status: 'pending' })
    .onConflictDoNothing();
}

export async function resolveHoldPoint(
  db: Database,
  resolution: {
    sessionId: string;
    id: string;
    status: 'approved' | 'rejected';
    by: string;
    comment: string | null;
    resolvedAt: string;
  },
): Promise<void> {
  await db
    .update(holdPoints)
    .set({
      status: resolution.status,
      resolvedBy: resolution.by,
      comment: resolution.comment,
      resolvedAt: new Date(resolution.resolvedAt),
    })
    .where(and(eq(holdPoints.sessionId, resolution.sessionId), eq(holdPoints.id, resolution.id)));
}

export async function listHoldPoints(db: Database, sessionId: string): Promise<HoldPointRow[]> {
  return db.select().from(holdPoints).where(eq(holdPoints.sessionId, sessionId)).orderBy(asc(holdPoints.id));
}
