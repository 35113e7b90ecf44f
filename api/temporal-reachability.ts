import type { Client } from '@temporalio/client';
import { TevisError } from '../contracts/errors.js';
import { isTemporalUnavailable } from './outage-errors.js';
import { temporalUnavailable } from './problem.js';

/**
 * How long the API waits to hear from Temporal before a command is answered 503. Without a
 * deadline the client retries an unreachable frontend for about 20 s.
 */
const TEMPORAL_PROBE_DEADLINE_MS = 3000;

/**
 * Asks the frontend for its system info, bounded: a command checks this before it records or
 * sends anything, so with Temporal down it is refused in seconds and has changed nothing.
 */
export async function requireTemporal(client: Client): Promise<void> {
  try {
    await client.connection.withDeadline(Date.now() + TEMPORAL_PROBE_DEADLINE_MS, () =>
      client.connection.workflowService.getSystemInfo({}),
    );
  } catch (error) {
    if (!isTemporalUnavailable(error)) throw error;
    const { type: _type, title: _title, status: _status, detail, ...extras } = temporalUnavailable(true);
    throw new TevisError('temporal-unavailable', detail, extras);
  }
}

/**
 * A command's read of the record and the probe, side by side instead of one after the other:
 * the record's answer (not found, not open, …) wins over the probe's, as when the read came first.
 */
export async function readWhileProbing<T>(client: Client, read: Promise<T>): Promise<T> {
  const [found, reachable] = await Promise.allSettled([read, requireTemporal(client)]);
  if (found.status === 'rejected') throw found.reason;
  if (reachable.status === 'rejected') throw reachable.reason;
  return found.value;
}
