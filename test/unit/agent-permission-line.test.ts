import { describe, expect, it } from 'vitest';
import { permissionReason, permissionRequestOf } from '../../contracts/agent-permission-line.js';
import { optionFor } from '../../contracts/agent-permission.js';

/**
 * The runner's permission line is written inside the TPU, where the agent can write to the
 * runner's stdout itself: whatever it holds, it becomes a bounded request or a stated problem,
 * never a throw and never unbounded text in a hold point.
 */
const line = (body: Record<string, unknown>) => JSON.stringify({ tevis: 'acp', type: 'permission', ...body });
const OPTIONS = [
  { optionId: 'allow', name: 'Allow', kind: 'allow_once' },
  { optionId: 'always', name: 'Always', kind: 'allow_always' },
  { optionId: 'reject', name: 'Reject', kind: 'reject_once' },
];

describe('an agent permission line', () => {
  it('becomes the tool call and options a hold point shows', () => {
    const parsed = permissionRequestOf(
      line({
        id: 2,
        toolCall: {
          toolCallId: 'rm',
          title: 'Delete build/',
          kind: 'delete',
          locations: [{ path: '/workspace/build' }],
          rawInput: { command: 'rm -rf build' },
        },
        options: OPTIONS,
      }),
    );
    expect(parsed).toEqual({
      request: {
        requestId: 2,
        toolCall: {
          toolCallId: 'rm',
          title: 'Delete build/',
          kind: 'delete',
          paths: ['/workspace/build'],
          input: '{"command":"rm -rf build"}',
        },
        options: OPTIONS,
      },
    });
    if (!('request' in parsed)) throw new Error('parsed');
    expect(permissionReason(parsed.request)).toBe(
      'the agent asks permission: Delete build/ (/workspace/build); options: Allow / Always / Reject',
    );
    expect(optionFor(parsed.request, 'approve')?.optionId).toBe('allow');
    expect(optionFor(parsed.request, 'reject')?.optionId).toBe('reject');
    expect(optionFor({ options: [OPTIONS[1]!] } as never, 'approve')?.optionId).toBe('always');
    expect(optionFor({ options: [OPTIONS[0]!] } as never, 'reject')).toBeNull();
  });

  it('cuts what is long and keeps what is bounded', () => {
    const huge = 'x'.repeat(200_000);
    const parsed = permissionRequestOf(
      line({
        id: 1,
        toolCall: {
          toolCallId: huge,
          title: huge,
          kind: huge,
          locations: Array(500).fill({ path: huge }),
          rawInput: huge,
        },
        options: OPTIONS.map((o) => ({ ...o, name: huge })),
      }),
    );
    if (!('request' in parsed)) throw new Error(JSON.stringify(parsed));
    expect(JSON.stringify(parsed.request).length).toBeLessThan(300_000);
    expect(parsed.request.toolCall.title!.length).toBe(4000);
    expect(parsed.request.toolCall.paths).toHaveLength(50);
    expect(permissionReason(parsed.request).length).toBeLessThanOrEqual(4000);
  });

  it('states a problem for lines that do not fit, whatever they hold', () => {
    for (const text of [
      'not json',
      '[]',
      'null',
      line({}),
      line({ id: -1, toolCall: {}, options: OPTIONS }),
      line({ id: 1, toolCall: {}, options: [] }),
      line({ id: 1, toolCall: {}, options: [{ optionId: 'x', name: 'x', kind: 'obey' }] }),
      line({ id: 1, toolCall: 'x', options: [{ optionId: '', name: 'x', kind: 'allow_once' }] }),
      line({ id: '1', toolCall: {}, options: OPTIONS }),
    ])
      expect(permissionRequestOf(text)).toMatchObject({ problem: expect.any(String) });
    // Its number goes with the problem only when it is one the runner could have given.
    expect(permissionRequestOf(line({ id: 3, toolCall: {}, options: [] }))).toEqual({
      problem: expect.any(String),
      requestId: 3,
    });
    expect(permissionRequestOf(line({ id: '3', toolCall: {}, options: [] }))).toEqual({
      problem: expect.any(String),
    });
  });
});
