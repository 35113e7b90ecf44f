import type { z } from 'zod';
import { UsageError } from './errors.js';

/**
 * Checks a request body with the same zod schema the API uses, before sending it, so a bad
 * branch or repository fails at once with exit 2 and names the flag to fix. The server checks
 * again; this only saves the round trip and speaks in flags instead of JSON paths.
 */
export function validateRequest<S extends z.ZodType>(
  schema: S,
  body: unknown,
  flags: Record<string, string>,
): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const messages = result.error.issues.map((issue) => {
    // The whole path first (`execution.tpuLimit` → --tpu-limit), then its first part.
    const path = issue.path.map(String).join('.');
    const where = flags[path] ?? flags[String(issue.path[0] ?? '')] ?? path;
    return where ? `${where}: ${issue.message}` : issue.message;
  });
  throw new UsageError(messages.join('; '));
}

/** One value, e.g. a positional ID or a project name, checked by its schema. */
export function validateValue<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new UsageError(`${what}: ${result.error.issues.map((issue) => issue.message).join('; ')}`);
}
