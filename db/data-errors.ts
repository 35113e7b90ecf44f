/**
 * Postgres SQLSTATE classes that say the data itself can never be written, whatever the retry:
 * 22 "data exception" (22021 a NUL in text, 22P05 a NUL in jsonb, 22003 a number out of range,
 * 22001 a string too long) and 23 "integrity constraint violation" other than a unique clash,
 * which callers use on purpose (idempotent inserts). PGlite reports the same codes as Postgres.
 */
export function dataError(error: unknown): { code: string; message: string } | null {
  // drizzle wraps driver errors; the driver's code sits on the cause.
  for (
    let e: unknown = error, depth = 0;
    e && typeof e === 'object' && depth < 10;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    // The driver's own message names the problem, not the statement and its (client's) data.
    if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code) && code !== '23505')
      return {
        code,
        message: String((e as Error).message)
          .split('\n')[0]!
          .slice(0, 200),
      };
  }
  return null;
}
