import type { AgentPermissionRequest } from '../contracts/agent-permission.js';
import { and, asc, eq } from 'drizzle-orm';
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
