// @ts-check
/** The public API, with the token the person gave the page; errors carry the problem's detail. */

export class ApiError extends Error {
  /** @param {number} status @param {string} type @param {string} detail */
  constructor(status, type, detail) {
    super(detail);
    this.status = status;
    this.type = type;
  }
}

/** What a person reads when a service is down: which one, and that trying again is safe. */
const UNAVAILABLE = /** @type {Record<string, string>} */ ({
  'database-unavailable': 'The database is unavailable right now.',
  'temporal-unavailable': 'Temporal is unavailable right now.',
  'service-unavailable': 'A service Tevis needs is unavailable right now.',
});

/** One Idempotency-Key per user action; getRandomValues also works where randomUUID does not (plain http). */
function newIdempotencyKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

/** @param {Response} response */
function retryAfterMs(response) {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3) * 1000 : 1000;
}

/**
 * @param {() => string | null} getToken
 * @param {() => void} onUnauthorized  told when the token is refused
 */
export function createApi(getToken, onUnauthorized) {
  /**
   * A change (`key` given) is sent once more with the same Idempotency-Key when the connection
   * fails or the API answers 503: the API runs it at most once, so the retry is safe.
   * @param {string} method @param {string} path @param {unknown} [body] @param {string} [accept]
   * @param {AbortSignal} [signal] cancels the request (its view went away): it then fails with the signal's reason
   * @param {string} [key]
   */
  async function request(method, path, body, accept = 'application/json', signal, key) {
    const attempts = key ? 2 : 1;
    for (let attempt = 1; ; attempt++) {
      /** @type {Response} */
      let response;
      try {
        response = await fetch(path, {
          method,
          headers: {
            authorization: `Bearer ${getToken() ?? ''}`,
            accept,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(key ? { 'idempotency-key': key } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal,
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        if (attempt < attempts) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          continue;
        }
        throw new ApiError(0, 'unreachable', 'The Tevis API does not answer; is `tevis up` running?');
      }
      if (response.ok) return accept === 'application/json' ? response.json() : response.text();
      const problem = await response.json().catch(() => ({}));
      const type = String(problem.type ?? '').replace('urn:tevis:problem:', '') || 'error';
      if (attempt < attempts && (response.status === 503 || type === 'idempotency-key-in-flight')) {
        await new Promise((resolve) => setTimeout(resolve, retryAfterMs(response)));
        continue;
      }
      if (response.status === 401) onUnauthorized();
      if (response.status === 503) {
        throw new ApiError(
          503,
          type,
          `${UNAVAILABLE[type] ?? UNAVAILABLE['service-unavailable']} It is safe to try again in a moment. (${problem.detail ?? 'HTTP 503'})`,
        );
      }
      throw new ApiError(
        response.status,
        type,
        problem.detail || problem.title || `${method} ${path} answered ${response.status}`,
      );
    }
  }

  return {
    /** @param {string} path @param {AbortSignal} [signal] */
    get: (path, signal) => request('GET', path, undefined, 'application/json', signal),
    /** One user action: a fresh Idempotency-Key, reused if the request is retried. @param {string} path @param {unknown} [body] */
    post: (path, body = {}) =>
      request('POST', path, body, 'application/json', undefined, newIdempotencyKey()),
    /** PUT, PATCH or DELETE (the planning panels), one user action with its own Idempotency-Key. @param {'PUT' | 'PATCH' | 'DELETE'} method @param {string} path @param {unknown} [body] */
    send: (method, path, body) =>
      request(method, path, body, 'application/json', undefined, newIdempotencyKey()),
    /**
     * Opens an SSE stream, resuming after `lastEventId` when given.
     * @param {string} path @param {string | null} lastEventId @param {AbortSignal} signal
     */
    async openStream(path, lastEventId, signal) {
      const headers = /** @type {Record<string, string>} */ ({
        authorization: `Bearer ${getToken() ?? ''}`,
        accept: 'text/event-stream',
      });
      if (lastEventId) headers['last-event-id'] = lastEventId;
      const response = await fetch(path, { headers, signal });
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        if (response.status === 401) onUnauthorized();
        throw new ApiError(
          response.status,
          String(problem.type ?? '').replace('urn:tevis:problem:', ''),
          problem.detail || `the stream answered ${response.status}`,
        );
      }
      return response;
    },
  };
}
