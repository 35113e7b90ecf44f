import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';

/**
 * The workflow's own check of an Update's payload, with the same zod schema the API uses: the
 * API is not the only client of the Temporal frontend, and a payload the record cannot hold (a
 * NUL in a goal) or a TPU cannot run must be refused before it is admitted, not fail halfway.
 * Thrown from a validator, so a refused Update leaves nothing in the history.
 */
export function refuseInvalid(schema: z.ZodType, value: unknown, what: string): void {
  const parsed = schema.safeParse(value);
  if (parsed.success) return;
  const detail = parsed.error.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  throw ApplicationFailure.create({
    type: 'validation',
    nonRetryable: true,
    message: `invalid ${what}: ${detail}`,
  });
}
