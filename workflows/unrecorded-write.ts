import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import { ACTIVITY_OPTIONS } from './activity-options.js';
import { refuse } from './refusal.js';

/**
 * The record writes an Update waits on before it answers a person (queue a nanocycle, answer a
 * hold point, decide a review). Bounded to seconds: the API is waiting, and a record that cannot
 * be written soon is better answered as such — with the workflow's state put back — than retried
 * for minutes while the state already claims what was never recorded. Background writes keep the
 * patient retry policy of their own modules.
 */
export const answeringWrites = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.answering);

/** Whether the write was refused for its data (so certainly nothing was written), not for time. */
export function isUnrecordable(error: unknown): boolean {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure && cause.type === 'unrecordable';
}

/**
 * What the caller of the Update is told when its write could not be recorded: `unrecordable`
 * (400) when the database refused the data, `service-unavailable` (503) when it did not answer in
 * time. Either way the Update changed nothing.
 */
export function unrecordedWrite(error: unknown, what: string): ApplicationFailure {
  const cause = error instanceof ActivityFailure ? (error.cause ?? error) : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (isUnrecordable(error))
    return refuse('unrecordable', `${what} was not recorded, nothing changed: ${message}`);
  return refuse('service-unavailable', `${what} could not be recorded in time, nothing changed: ${message}`);
}
