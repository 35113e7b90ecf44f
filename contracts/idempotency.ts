/**
 * The `Idempotency-Key` request header (api/idempotency.ts): 1 to 255 visible ASCII characters
 * (`!` to `~`), so a UUID, a ULID or any token a client makes fits, and nothing a header cannot
 * carry.
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENCY_KEY_PATTERN_SOURCE = '^[!-~]{1,255}$';
export const IDEMPOTENCY_KEY_PATTERN = new RegExp(IDEMPOTENCY_KEY_PATTERN_SOURCE);
