import { describe, expect, it } from 'vitest';
import { parseControlLine } from '../../tpu/acp/control-input.js';

describe('ACP runner stdin lines', () => {
  it('reads an answer, a dismissal and a cancel', () => {
    expect(parseControlLine('{"optionId":"allow"}')).toEqual({ kind: 'answer', optionId: 'allow' });
    expect(parseControlLine('{"cancelled":true}')).toEqual({ kind: 'dismiss' });
    expect(parseControlLine('{"cancel":true}')).toEqual({ kind: 'cancel' });
  });

  it.each([
    'not json',
    '{}',
    '{"optionId":""}',
    '{"optionId":"allow","cancel":true}',
    '{"cancel":false}',
    '{"cancelled":"yes"}',
    '["allow"]',
  ])('names what is expected for %s', (text) => {
    const line = parseControlLine(text);
    expect(line.kind).toBe('invalid');
  });
});
