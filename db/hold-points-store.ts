import type { AgentPermissionRequest } from '../contracts/agent-permission.js';
import { and, asc, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { HoldPointKind } from '../contracts/nanocycle.js';
import type { HoldPointRecord } from '../contracts/nanocycle-records.js';
import type { HoldPointBrief } from '../contracts/session-state.js';
import type { Database } from './database.js';
import { holdPoints } from './schema.js';

type HoldPointRow = typeof holdPoints.$inferSelect;

/** The one way a hold point row becomes what the API answers (`GET /sessions/{id}/holds`). */
export function toHoldPointRecord(row: HoldPointRow): HoldPointRecord {
  return {
    id: row.id,
    nanocycleId: row.nanocycleId,
    kind: row.kind,
    reason: row.reason,
    status: row.status,
    openedAt: row.openedAt.toISOString(),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    resolvedBy: row.resolvedBy,
    comment: row.comment,
    agentRequest: row.agentRequest ?? null,
  };
}

/** A pending hold point as the session workflow holds it, from the record. */
export function toHoldPointBrief(record: HoldPointRecord): HoldPointBrief {
  return {
    id: record.id,
    nanocycleId: record.nanocycleId,
    kind: record.kind,
    reason: record.reason,
    openedAt: record.openedAt,
  };
}

/** A hold point as it opens: pending until it is resolved. */
export interface NewHoldPoint {
  sessionId: string;
  id: string;
  nanocycleId: string | null;
  kind: HoldPointKind;
  reason: string;
  openedAt: string;
  /** An ACP agent's permission request: what it asks to do and the options it offers. */
  agentRequest?: AgentPermissionRequest | null;
}

export async function insertHoldPoint(db: Database, hold: NewHoldPoint): Promise<void> {
  const { sessionId, id, nanocycleId, kind, reason, openedAt } = hold;
  const agentRequest = hold.agentRequest ?? null;
  await db
    .insert(holdPoints)
    .values({
      sessionId,
      id,
      nanocycleId,
      kind,
      reason,
      openedAt: new Date(openedAt),
      status: 'pending',
      agentRequest,
    })
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

export async function listHoldPoints(db: Database, sessionId: string): Promise<HoldPointRecord[]> {
  const rows = await db
    .select()
    .from(holdPoints)
    .where(eq(holdPoints.sessionId, sessionId))
    .orderBy(asc(holdPoints.id));
  return rows.map(toHoldPointRecord);
}

export async function getHoldPoint(
  db: Database,
  sessionId: string,
  id: string,
): Promise<HoldPointRecord | undefined> {
  const [row] = await db
    .select()
    .from(holdPoints)
    .where(and(eq(holdPoints.sessionId, sessionId), eq(holdPoints.id, id)));
  return row ? toHoldPointRecord(row) : undefined;
}

/**
 * How long, between `from` and `to` (ms since the epoch), the nanocycle's `agent` hold points
 * were waiting for a person, overlaps counted once: the time an ACP run spent on a person's
 * answer rather than on its work (activities/tpu/work-clock.ts).
 */
export async function agentHeldMs(
  db: Database,
  nanocycle: { sessionId: string; nanocycleId: string },
  from: number,
  to: number,
): Promise<number> {
  const rows = await db
    .select({ openedAt: holdPoints.openedAt, resolvedAt: holdPoints.resolvedAt })
    .from(holdPoints)
    .where(
      and(
        eq(holdPoints.sessionId, nanocycle.sessionId),
        eq(holdPoints.nanocycleId, nanocycle.nanocycleId),
        eq(holdPoints.kind, 'agent'),
        lt(holdPoints.openedAt, new Date(to)),
        or(isNull(holdPoints.resolvedAt), gt(holdPoints.resolvedAt, new Date(from))),
      ),
    )
    .orderBy(asc(holdPoints.openedAt));
  let held = 0;
  let reached = from;
  for (const row of rows) {
    const start = Math.max(row.openedAt.getTime(), reached);
    const end = Math.min(row.resolvedAt?.getTime() ?? to, to);
    if (end > start) held += end - start;
    reached = Math.max(reached, end);
  }
  return held;
}
