import type { ProblemType } from './problems.js';

/**
 * The one error type the code throws on purpose. The API maps it to problem+json by `type`, the
 * CLI to an exit code, and the workflow carries the same `type` in its ApplicationFailures.
 */
export class TevisError extends Error {
  constructor(
    readonly type: ProblemType,
    message: string,
    readonly extras: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'TevisError';
  }
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  // drizzle wraps driver errors; the driver's code and constraint sit on the cause.
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { code, constraint: name } = e as { code?: string; constraint?: string };
    if (code === '23505')
      return (
        constraint === undefined || name === constraint || String((e as Error).message).includes(constraint)
      );
  }
  return false;
}

/**
 * Every error in the chain, the outermost first: drivers and fetch wrap their socket errors in
 * `cause`, sometimes inside an AggregateError (one per address tried, IPv4 and IPv6).
 */
export function* errorChain(error: unknown): Generator<object> {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length) {
    const e = pending.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    yield e;
    pending.push((e as { cause?: unknown }).cause);
    if (e instanceof AggregateError) pending.push(...e.errors);
  }
}
