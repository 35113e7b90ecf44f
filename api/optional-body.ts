import type { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { TevisError } from '../contracts/errors.js';

/**
 * A body that may be left out (`{}` then). The route's own JSON validation only runs when a body
 * is sent with a JSON content type, so this checks what is there either way.
 */
export async function optionalBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new TevisError('validation', 'the body is not JSON');
    }
  }
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success)
    throw new TevisError(
      'validation',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return parsed.data;
}
