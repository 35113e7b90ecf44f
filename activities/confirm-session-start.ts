import { ApplicationFailure } from '@temporalio/activity';
import type { Database } from '../db/database.js';
import { findSessionStatus } from '../db/sessions-store.js';

/** Record statuses in which the API starts a session's workflow: `start` a new one, `recover` an open one. */
const STARTABLE: Record<'start' | 'recover', readonly string[]> = {
  start: ['starting'],
  recover: ['starting', 'active', 'paused', 'ending'],
};

/**
 * The record agrees that this session's workflow is meant to run now. A sealed start input
 * copied out of a history and started again under the same id (once the original closed) would
 * otherwise clone again and rewrite the record of an ended or failed session. Reads only.
 */
export async function confirmSessionStart(
  db: Database,
  input: { sessionId: string; phase: 'start' | 'recover' },
): Promise<void> {
  const status = await findSessionStatus(db, input.sessionId);
  if (!status || !STARTABLE[input.phase].includes(status)) {
    throw ApplicationFailure.create({
      message: `the record does not expect session ${input.sessionId} to ${input.phase} (it is ${status ?? 'unknown'})`,
      type: 'unexpected-start',
      nonRetryable: true,
    });
  }
}
