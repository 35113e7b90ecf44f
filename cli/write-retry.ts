/** A state-changing request is sent at most this often: once, then two retries. */
export const WRITE_ATTEMPTS = 3;
export const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Never wait longer than this between attempts, whatever Retry-After says: a person is waiting. */
const MAX_RETRY_WAIT_MS = 5000;

export function backoffMs(attempt: number): number {
  return Math.min(500 * 2 ** (attempt - 1), MAX_RETRY_WAIT_MS);
}

/** Retry-After in seconds (the API's form); an HTTP date or nonsense falls back to backoff. */
export function retryAfterMs(header: string | null): number | null {
  if (!header || !/^\d+$/.test(header.trim())) return null;
  return Math.min(Number(header) * 1000, MAX_RETRY_WAIT_MS);
}
