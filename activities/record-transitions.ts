import {
  checkTimelineEvent,
  type TimelineEvent,
  type UncheckedTimelineEvent,
} from '../contracts/timeline.js';
import type { Database } from '../db/database.js';
import { appendEvent } from '../db/timeline-store.js';
import { applyRecordChanges, type SessionRecordChanges } from './record-transition.js';

export interface RecordTransitionsInput {
  sessionId: string;
  changes: SessionRecordChanges;
  /** In timeline order, each with its own key. */
  events: UncheckedTimelineEvent[];
}

/**
 * Several steps of the record in one write, as recordTransition does one: the row's new fields
 * and the events in one transaction, so a reader sees all of them or none. The start's events
 * are written this way (workflows/session-start-batched.ts): one call instead of one a step.
 * A retry repeats the row's fields (the same values) and finds the events by their keys.
 */
export async function recordTransitions(
  db: Database,
  input: RecordTransitionsInput,
): Promise<TimelineEvent[]> {
  const events = input.events.map(checkTimelineEvent);
  return db.transaction(async (tx) => {
    await applyRecordChanges(tx, input.sessionId, input.changes);
    const written: TimelineEvent[] = [];
    for (const event of events) written.push(await appendEvent(tx, event));
    return written;
  });
}
