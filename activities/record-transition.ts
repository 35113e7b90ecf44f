import { ApplicationFailure } from '@temporalio/common';
import { TevisError } from '../contracts/errors.js';
import type { SessionStatus, EndReason } from '../contracts/session-types.js';
import type { TimelineEvent, UncheckedTimelineEvent } from '../contracts/timeline.js';
import type { LoadedContext } from '../contracts/session-state.js';
import type { Database } from '../db/database.js';
import { updateSession } from '../db/sessions-store.js';
import { recordTransitions } from './record-transitions.js';

/** Plain JSON from the workflow: dates arrive as ISO strings. */
export interface SessionRecordChanges {
  status?: SessionStatus;
  workspacePath?: string;
  workspaceHost?: string;
  startCommit?: string;
  context?: LoadedContext;
  endedAt?: string | null;
  endReason?: EndReason | null;
  failure?: string | null;
}

export interface RecordTransitionInput {
  sessionId: string;
  changes: SessionRecordChanges;
  event: UncheckedTimelineEvent;
}

/**
 * Keeps the record in step with the workflow: the row's new fields and the timeline event in one
 * transaction (the event idempotent by its key, so a retried activity leaves one event). A reader
 * that sees the new status also sees the event that says so: written apart, a client could read
 * `active` and then ask the stream for what came after an event list that had not caught up.
 *
 * A status the project's one-active rule refuses (another session of the project is active)
 * fails at once and for good, typed `session-conflict`: retrying cannot help, and the workflow
 * must step back (see the resume Update) rather than claim a status the record never took.
 * The refused statement rolls the whole write back: no event either.
 */
export async function recordTransition(db: Database, input: RecordTransitionInput): Promise<TimelineEvent> {
  const [written] = await recordTransitions(db, {
    sessionId: input.sessionId,
    changes: input.changes,
    events: [input.event],
  });
  return written!;
}

/** The row's new fields; a status the one-active rule refuses fails for good (see above). */
export async function applyRecordChanges(
  db: Database,
  sessionId: string,
  changes: SessionRecordChanges,
): Promise<void> {
  const { endedAt, ...rest } = changes;
  if (!Object.keys(changes).length) return;
  try {
    await updateSession(db, sessionId, {
      ...rest,
      ...(endedAt !== undefined ? { endedAt: endedAt ? new Date(endedAt) : null } : {}),
    });
  } catch (error) {
    if (error instanceof TevisError && error.type === 'session-conflict') {
      throw ApplicationFailure.create({
        type: 'session-conflict',
        nonRetryable: true,
        message: error.message,
        details: [error.extras],
      });
    }
    throw error;
  }
}
