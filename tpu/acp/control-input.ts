import { z } from 'zod';

/**
 * The lines the runner reads on its stdin (see tpu/acp/runner.ts): an answer to the oldest
 * open permission request, or a cancel of the turn. Strict: a line that is not exactly one of
 * these changes nothing and is reported back as an `input_error` line.
 */
const RequestId = z.number().int().min(1).optional();
/** The person's words with their answer (a hold point comment is at most 20,000 characters). */
const Comment = z.string().min(1).max(20_000).optional();
const Answer = z.strictObject({
  optionId: z.string().min(1).max(1024),
  requestId: RequestId,
  comment: Comment,
});
const Dismissal = z.strictObject({ cancelled: z.literal(true), requestId: RequestId, comment: Comment });
const Cancel = z.strictObject({ cancel: z.literal(true) });

export type ControlInput =
  | { kind: 'answer'; optionId: string; requestId?: number; comment?: string }
  | { kind: 'dismiss'; requestId?: number; comment?: string }
  | { kind: 'cancel' }
  | { kind: 'invalid'; message: string };

export function parseControlLine(text: string): ControlInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'invalid', message: 'not JSON: give one JSON object a line' };
  }
  const answer = Answer.safeParse(value);
  if (answer.success) return withoutUndefined({ kind: 'answer', ...answer.data });
  const dismissal = Dismissal.safeParse(value);
  if (dismissal.success) {
    const { requestId, comment } = dismissal.data;
    return withoutUndefined({ kind: 'dismiss', requestId, comment });
  }
  if (Cancel.safeParse(value).success) return { kind: 'cancel' };
  return {
    kind: 'invalid',
    message:
      'expected {"optionId":"<id>","requestId":<n>}, {"cancelled":true,"requestId":<n>} (either with "comment":"<text>") or {"cancel":true}',
  };
}

function withoutUndefined<T extends object>(line: T): T {
  return Object.fromEntries(Object.entries(line).filter(([, value]) => value !== undefined)) as T;
}
