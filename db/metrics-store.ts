import { count, eq, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { holdPoints, nanocycles, sessions } from './schema.js';

/**
 * What `/metrics` reports from the record, read at scrape time: one grouped query a family, so a
 * scrape costs the same few queries however many sessions there are, and no other route pays for it.
 */

export interface StatusCount {
  status: string;
  count: number;
}

export interface NanocycleStatusTotals extends StatusCount {
  /** TPU seconds the nanocycles in this status used, from their records. */
  tpuSeconds: number;
}

export interface WaitingHoldPoints {
  kind: string;
  count: number;
  /** How long the oldest one of this kind has waited, by the database's clock. */
  oldestAgeSeconds: number;
}

export async function countSessionsByStatus(db: Database): Promise<StatusCount[]> {
  return db.select({ status: sessions.status, count: count() }).from(sessions).groupBy(sessions.status);
}

export async function countNanocyclesByStatus(db: Database): Promise<NanocycleStatusTotals[]> {
  return db
    .select({
      status: nanocycles.status,
      count: count(),
      tpuSeconds: sql<number>`coalesce(sum((${nanocycles.data} ->> 'tpuSeconds')::float8), 0)`.mapWith(
        Number,
      ),
    })
    .from(nanocycles)
    .groupBy(nanocycles.status);
}

export async function countWaitingHoldPoints(db: Database): Promise<WaitingHoldPoints[]> {
  return db
    .select({
      kind: holdPoints.kind,
      count: count(),
      oldestAgeSeconds: sql<number>`extract(epoch from now() - min(${holdPoints.openedAt}))::float8`.mapWith(
        Number,
      ),
    })
    .from(holdPoints)
    .where(eq(holdPoints.status, 'pending'))
    .groupBy(holdPoints.kind);
}
