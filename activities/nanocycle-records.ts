import type { HoldPointKind } from '../contracts/nanocycle.js';
import { checkTimelineEvent, type UncheckedTimelineEvent } from '../contracts/timeline.js';
import type { Database } from '../db/database.js';
import { insertHoldPoint, type NewHoldPoint, resolveHoldPoint } from '../db/hold-points-store.js';
import { mergeNanocycleData, saveNanocycle, type NanocycleWrite } from '../db/nanocycles-store.js';
import { appendEvent } from '../db/timeline-store.js';
import { deliverHoldPointWebhook } from './hold-point-webhook.js';

export type { NanocycleWrite };

/** The record of nanocycles and hold points, each write with its timeline event (idempotent by key). */

/** Both or neither: a nanocycle row without its event (or the reverse) would be a ghost. */
export async function recordNanocycle(
  db: Database,
  input: { nanocycle: NanocycleWrite; event?: UncheckedTimelineEvent },
): Promise<void> {
  await db.transaction(async (tx) => {
    await saveNanocycle(tx, input.nanocycle);
    const detail = input.event ? detailOf(input.event) : undefined;
    if (detail !== undefined)
      await mergeNanocycleData(tx, input.nanocycle.sessionId, input.nanocycle.id, { detail });
    if (input.event) await appendEvent(tx, checkTimelineEvent(input.event));
  });
}

/**
 * What the workflow's brief says of a merge's outcome and the record would otherwise lack: the
 * conflicting files of a conflict, cleared by a merge, and why a merge failed for good (its branch
 * gone with a lost host) (`GET /sessions/{id}` reads the record).
 */
function detailOf(event: UncheckedTimelineEvent): string | null | undefined {
  if (event.type === 'nanocycle.merged') return null;
  if (event.type === 'nanocycle.failed' && typeof event.data?.detail === 'string') return event.data.detail;
  const conflicts = event.data?.conflicts;
  if (event.type === 'nanocycle.conflict' && Array.isArray(conflicts))
    return `conflicts in ${conflicts.join(', ')}`;
  return undefined;
}

export interface OpenHoldPointInput extends NewHoldPoint {
  eventKey: string;
  webhookUrl?: string | null;
  /**
   * The status its nanocycle waits in (awaiting_approval, conflict), written in the same
   * transaction: a reader never sees the hold point beside a nanocycle that does not wait on it.
   * Absent in workflows recorded before it was, which wrote the status with a second activity.
   */
  nanocycle?: NanocycleWrite;
}

export async function recordHoldPointOpened(db: Database, input: OpenHoldPointInput): Promise<void> {
  const data = {
    id: input.id,
    nanocycleId: input.nanocycleId,
    kind: input.kind,
    reason: input.reason,
    ...(input.agentRequest ? { agentRequest: input.agentRequest } : {}),
  };
  await db.transaction(async (tx) => {
    await insertHoldPoint(tx, input);
    if (input.nanocycle) await saveNanocycle(tx, input.nanocycle);
    await appendEvent(tx, {
      sessionId: input.sessionId,
      type: 'holdpoint.opened',
      data,
      key: input.eventKey,
    });
  });
  await notify(db, input, 'holdpoint.opened', { ...data, openedAt: input.openedAt });
}

/** The webhook's answer goes on the timeline only when it failed: that is what a person must know. */
async function notify(
  db: Database,
  input: { sessionId: string; eventKey: string; webhookUrl?: string | null },
  event: 'holdpoint.opened' | 'holdpoint.resolved',
  payload: { id: string } & Record<string, unknown>,
) {
  if (!input.webhookUrl) return;
  const result = await deliverHoldPointWebhook({
    url: input.webhookUrl,
    deliveryId: `${input.sessionId}:${input.eventKey}`,
    event,
    payload: { sessionId: input.sessionId, ...payload },
  });
  if (!result.delivered) {
    await appendEvent(db, {
      sessionId: input.sessionId,
      type: 'webhook.failed',
      data: { event, holdPointId: payload.id, error: result.error },
      key: `${input.eventKey}:webhook`,
    });
  }
}

export interface ResolveHoldPointInput {
  sessionId: string;
  id: string;
  nanocycleId: string | null;
  kind: HoldPointKind;
  status: 'approved' | 'rejected';
  by: string;
  comment: string | null;
  resolvedAt: string;
  eventKey: string;
  webhookUrl?: string | null;
}

export async function recordHoldPointResolved(db: Database, input: ResolveHoldPointInput): Promise<void> {
  const { id, nanocycleId, kind, status, by, comment } = input;
  const data = { id, nanocycleId, kind, status, by, comment };
  // Both or neither: an answer the record keeps without its event (or the reverse) is a ghost.
  await db.transaction(async (tx) => {
    await resolveHoldPoint(tx, input);
    await appendEvent(tx, {
      sessionId: input.sessionId,
      type: 'holdpoint.resolved',
      data,
      key: input.eventKey,
    });
  });
  await notify(db, input, 'holdpoint.resolved', { ...data, resolvedAt: input.resolvedAt });
}
