import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MiddlewareHandler } from 'hono';
import { IDEMPOTENCY_KEY_PATTERN } from '../contracts/idempotency.js';
import type { Database } from '../db/database.js';
import {
  claimIdempotencyKey,
  pruneExpiredIdempotencyKeys,
  releaseIdempotencyKey,
  storeIdempotentAnswer,
  type IdempotencyRow,
} from '../db/idempotency-store.js';
import { problem, problemResponse } from './problem.js';

/**
 * `Idempotency-Key` on every state-changing request, with Stripe's semantics: the first request
 * with a key runs and its answer is kept (in the database, so every API instance sees it); a
 * repeat of the same request gets that answer again, marked `Idempotent-Replayed: true`; a repeat
 * while the first still runs waits for it, then answers 409 `idempotency-key-in-flight` with
 * Retry-After; the key with another query or body on the same route (method, path and token make
 * its scope) is 422 `idempotency-key-reused`. A 5xx is not kept:
 * after an outage the retry runs again. Requests without the header are untouched.
 */

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** How long a repeat waits for the first request's answer before it is told to come back. */
const WAIT_FOR_FIRST_MS = 15_000;
/** Headers of the answer that are part of it; the rest (date, length) are the transport's. */
const KEPT_HEADERS = ['content-type', 'location', 'retry-after'];
const PRUNE_EVERY_MS = 60_000;

export interface IdempotencyOptions {
  /** How long a repeat waits for a first request still running (tests shorten it). */
  waitForFirstMs?: number;
}

export function idempotentWrites(db: Database, options: IdempotencyOptions = {}): MiddlewareHandler {
  const waitForFirstMs = options.waitForFirstMs ?? WAIT_FOR_FIRST_MS;
  // Per instance, and harmless so: each instance deletes expired keys at most once a minute, and
  // deleting rows another instance deleted already deletes nothing.
  let lastPrune = 0;
  return async (c, next) => {
    // The codec's POSTs decode and change nothing; their answers (decoded payloads) are not kept.
    if (!STATE_CHANGING.has(c.req.method) || c.req.path.startsWith('/codec/')) return next();
    const key = c.req.header('idempotency-key');
    if (key === undefined) return next();
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
      return problemResponse(
        c,
        problem(
          'validation',
          'invalid Idempotency-Key header: 1 to 255 visible ASCII characters, e.g. a UUID',
        ),
      );
    }
    if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
      lastPrune = Date.now();
      void pruneExpiredIdempotencyKeys(db).catch(() => {});
    }
    // Hono keeps the body it read, so the route's own validation reads the same bytes.
    const body = new Uint8Array(await c.req.arrayBuffer());
    const scope = `${c.req.method} ${c.req.path} ${who(c.req.header('authorization'))}`;
    const requestHash = createHash('sha256')
      .update(`${new URL(c.req.url).search}\n`)
      .update(body)
      .digest('hex');

    const deadline = Date.now() + waitForFirstMs;
    for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
      const claim = await claimIdempotencyKey(db, { scope, key, requestHash });
      if (claim === true) return runFirst(c, next, db, scope, key);
      if (claim.requestHash !== requestHash) {
        return problemResponse(
          c,
          problem(
            'idempotency-key-reused',
            'this Idempotency-Key was sent to this route with another query or body; use a new key for a new request',
          ),
        );
      }
      if (claim.status === 'done') return replay(claim);
      // The first is still running: wait for its answer, or for it to give the key back (a 5xx).
      if (Date.now() >= deadline) {
        return problemResponse(
          c,
          problem(
            'idempotency-key-in-flight',
            'the first request with this Idempotency-Key is still running; send it again after Retry-After to get its answer',
          ),
        );
      }
      await sleep(delay);
    }
  };
}

async function runFirst(
  c: Parameters<MiddlewareHandler>[0],
  next: () => Promise<void>,
  db: Database,
  scope: string,
  key: string,
): Promise<void> {
  await next();
  const response = c.res;
  try {
    if (response.status >= 500) {
      await releaseIdempotencyKey(db, scope, key);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    await storeIdempotentAnswer(db, scope, key, {
      status: response.status,
      headers,
      body: await response.clone().text(),
    });
  } catch {
    // The request ran and its answer goes out; only keeping it failed (the database went away
    // meanwhile). Give the key back so a retry is not stuck behind a `running` row.
    await releaseIdempotencyKey(db, scope, key).catch(() => {});
  }
}

function replay(row: IdempotencyRow): Response {
  const headers = new Headers(row.responseHeaders ?? {});
  headers.set('idempotent-replayed', 'true');
  return new Response(row.responseBody ?? '', { status: row.responseStatus ?? 200, headers });
}

/** Whose key it is, without keeping the credential: a digest of the Authorization header. */
function who(authorization: string | undefined): string {
  return authorization ? createHash('sha256').update(authorization).digest('hex').slice(0, 16) : 'anonymous';
}
