import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { TevisError } from '../contracts/errors.js';
import {
  checkTimelineEvent,
  type NewTimelineEvent,
  type TimelineEvent,
  type TimelineEventOf,
  type TimelineEventType,
} from '../contracts/timeline.js';
import type { Database } from './database.js';
import { EVENTS_CHANNEL } from './event-notifications.js';
import { events, sessions } from './schema.js';

type EventRow = typeof events.$inferSelect;

/**
 * The one way an event row becomes what the API answers. Its data was checked against its type's
 * schema when it was written (appendEvent), so it is not parsed again on every read.
 */
function toEvent(row: EventRow): TimelineEvent {
  return {
    sessionId: row.sessionId,
    seq: row.seq,
    type: row.type,
    at: row.at.toISOString(),
    data: row.data,
  } as TimelineEvent;
}

/**
 * Appends one event (its data checked against its type's schema) with the session's next sequence number. The session row is locked for the
 * duration, so concurrent writers (workflow activities, API) get consecutive numbers without gaps;
 * an event whose key was already written is returned as it was, not written twice.
 */
export async function appendEvent(db: Database, input: NewTimelineEvent): Promise<TimelineEvent> {
  const event = checkTimelineEvent(input);
  return db.transaction(async (tx) => {
    const [locked] = await tx
      .select({ seq: sessions.eventSeq })
      .from(sessions)
      .where(eq(sessions.id, event.sessionId))
      .for('update');
    if (!locked) throw new TevisError('session-not-found', `no session "${event.sessionId}"`);
    if (event.key) {
      const [existing] = await tx
        .select()
        .from(events)
        .where(and(eq(events.sessionId, event.sessionId), eq(events.key, event.key)));
      if (existing) return toEvent(existing);
    }
    const seq = locked.seq + 1;
    await tx.update(sessions).set({ eventSeq: seq }).where(eq(sessions.id, event.sessionId));
    const [row] = await tx
      .insert(events)
      .values({ sessionId: event.sessionId, seq, type: event.type, data: event.data, key: event.key ?? null })
      .returning();
    await tx.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${event.sessionId})`);
    return toEvent(row!);
  });
}

export async function listEvents(
  db: Database,
  sessionId: string,
  afterSeq = 0,
  limit = 1000,
): Promise<TimelineEvent[]> {
  const rows = await db
    .select()
    .from(events)
    .where(and(eq(events.sessionId, sessionId), gt(events.seq, afterSeq)))
    .orderBy(asc(events.seq))
    .limit(limit);
  return rows.map(toEvent);
}

/** The latest event of `type` about one nanocycle (its `data.nanocycleId`), or null. */
export async function lastNanocycleEvent<T extends TimelineEventType>(
  db: Database,
  sessionId: string,
  type: T,
  nanocycleId: string,
): Promise<TimelineEventOf<T> | null> {
  const [row] = await db
    .select()
    .from(events)
    .where(
      and(
        eq(events.sessionId, sessionId),
        eq(events.type, type),
        sql`${events.data} ->> 'nanocycleId' = ${nanocycleId}`,
      ),
    )
    .orderBy(desc(events.seq))
    .limit(1);
  return row ? (toEvent(row) as TimelineEventOf<T>) : null;
}

/** The latest event of any of `types`, or null. */
export async function lastEventOf<T extends TimelineEventType>(
  db: Database,
  sessionId: string,
  types: readonly T[],
): Promise<TimelineEventOf<T> | null> {
  const [row] = await db
    .select()
    .from(events)
    .where(and(eq(events.sessionId, sessionId), inArray(events.type, [...types])))
    .orderBy(desc(events.seq))
    .limit(1);
  return row ? (toEvent(row) as TimelineEventOf<T>) : null;
}
