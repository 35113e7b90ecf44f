import { z } from 'zod';

/**
 * The lines the runner reads on its stdin (see tpu/acp/runner.ts): an answer to the oldest
 * open permission request, or a cancel of the turn. Strict: a line that is not exactly one of
 * these changes nothing and is reported back as an `input_error` line.
 */
const Answer = z.strictObject({ optionId: z.string().min(1).max(1024) });
const Dismissal = z.strictObject({ cancelled: z.literal(true) });
const Cancel = z.strictObject({ cancel: z.literal(true) });

export type ControlInput =
  | { kind: 'answer'; optionId: string }
  | { kind: 'dismiss' }
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
  if (answer.success) return { kind: 'answer', optionId: answer.data.optionId };
  if (Dismissal.safeParse(value).success) return { kind: 'dismiss' };
  if (Cancel.safeParse(value).success) return { kind: 'cancel' };
  return {
    kind: 'invalid',
    message: 'expected {"optionId":"<id>"}, {"cancelled":true} or {"cancel":true}',
  };
}
