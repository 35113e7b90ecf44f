import { describe, expect, it } from 'vitest';
import { parseControlLine } from '../../tpu/acp/control-input.js';

describe('ACP runner stdin lines', () => {
  it('reads an answer, a dismissal and a cancel', () => {
    expect(parseControlLine('{"optionId":"allow"}')).toEqual({ kind: 'answer', optionId: 'allow' });
    expect(parseControlLine('{"cancelled":true}')).toEqual({ kind: 'dismiss' });
    expect(parseControlLine('{"cancel":true}')).toEqual({ kind: 'cancel' });
    expect(parseControlLine('{"optionId":"allow","requestId":2}')).toEqual({
      kind: 'answer',
      optionId: 'allow',
      requestId: 2,
    });
    expect(parseControlLine('{"cancelled":true,"requestId":3}')).toEqual({ kind: 'dismiss', requestId: 3 });
  });

  it("reads the person's comment with an answer or a dismissal", () => {
    expect(parseControlLine('{"optionId":"reject","requestId":1,"comment":"not that"}')).toEqual({
      kind: 'answer',
      optionId: 'reject',
      requestId: 1,
      comment: 'not that',
    });
    expect(parseControlLine('{"cancelled":true,"comment":"later"}')).toEqual({
      kind: 'dismiss',
      comment: 'later',
    });
    expect(Object.keys(parseControlLine('{"cancelled":true}'))).toEqual(['kind']);
  });

  it.each([
    'not json',
    '{}',
    '{"optionId":""}',
    '{"optionId":"allow","cancel":true}',
    '{"cancel":false}',
    '{"cancelled":"yes"}',
    '["allow"]',
    '{"optionId":"allow","requestId":0}',
    '{"optionId":"allow","requestId":"1"}',
    '{"optionId":"allow","comment":""}',
    '{"optionId":"allow","comment":7}',
    `{"optionId":"allow","comment":"${'x'.repeat(20_001)}"}`,
    '{"cancel":true,"comment":"why"}',
  ])('names what is expected for %s', (text) => {
    const line = parseControlLine(text);
    expect(line.kind).toBe('invalid');
  });
});
