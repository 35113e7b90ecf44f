import { randomUUID } from 'node:crypto';
import type { ApiClient } from '../../test/support/api-client.js';
import { waitFor } from '../../test/support/poll.js';

/** Long enough for any fault of the run to be over; only a hang gets here. */
const OUTAGE_MS = 300_000;

/**
 * A request the load sends through the faults, as a careful client would: the same
 * Idempotency-Key on every try (so a command the API ran before it was killed runs once), tried
 * again while the API is unreachable or answers 5xx, 409 in-flight or 429.
 */
export async function callThroughFaults<T = any>(
  http: ApiClient,
  method: string,
  path: string,
  body?: unknown,
  expected = 200,
): Promise<T> {
  const headers: Record<string, string> = method === 'GET' ? {} : { 'Idempotency-Key': randomUUID() };
  return waitFor(
    `${method} ${path} to answer ${expected}`,
    async () => {
      const reply = await http.call<T>(method, path, body, { headers });
      if (reply.status === expected) return { body: reply.json };
      const retried = reply.status >= 500 || reply.status === 429 || reply.status === 409;
      const error = new Error(`${method} ${path}: ${reply.status} ${reply.text.slice(0, 300)}`);
      throw retried ? error : Object.assign(error, { fatal: true });
    },
    { timeoutMs: OUTAGE_MS, intervalMs: 250 },
  ).then((answer) => answer.body);
}

/** Polls GET `path` through the faults until `done(body)` holds. */
export function readThroughFaults<T, R>(
  http: ApiClient,
  path: string,
  what: string,
  done: (body: T) => R | undefined | false,
): Promise<R> {
  return waitFor(
    what,
    async () => {
      const reply = await http.call<T>('GET', path);
      return reply.status === 200 ? done(reply.json) : undefined;
    },
    { timeoutMs: OUTAGE_MS, intervalMs: 250 },
  );
}
