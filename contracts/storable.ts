import { z } from 'zod';

/**
 * What the database can hold, said once so every schema that takes input for it agrees — and so
 * the OpenAPI document shows it (a `pattern`, a `maximum`) instead of a 500 discovering it.
 *
 * Postgres refuses U+0000 in `text` (22021) and in `jsonb` strings (22P05), and sequence numbers
 * are `integer` columns (int4). Input beyond either is a client mistake, answered 400 before any
 * write starts, so nothing half-recorded is left behind.
 */

/** Any character but U+0000. A JSON Schema / ECMAScript pattern, so it also shows in the OpenAPI document. */
export const NO_NUL_PATTERN = /^[^\u0000]*$/;
const NO_NUL_MESSAGE = 'text cannot contain a NUL character (U+0000)';

/** A string Tevis stores: no NUL. Chain `.min()` / `.max()` as the field needs. */
export const StorableText = z.string().regex(NO_NUL_PATTERN, NO_NUL_MESSAGE);

/** The largest value of a Postgres `integer` column (seq, run, event_seq). */
export const MAX_INT4 = 2_147_483_647;

/**
 * Whether `n` fits a sequence column: what a client sends back as `after`, Last-Event-ID or a seq
 * in an output cursor. (The routes' query schemas say the same with `.max(MAX_INT4)`.)
 */
export function isSequenceNumber(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_INT4;
}
