import type { RequestPermissionRequest } from '@agentclientprotocol/sdk';
import { describe, expect, it } from 'vitest';
import { PermissionDesk } from '../../tpu/acp/permission-desk.js';
import type { RunnerLine } from '../../tpu/acp/runner-lines.js';

const request = (toolCallId: string): RequestPermissionRequest => ({
  sessionId: 's',
  toolCall: { toolCallId, title: `edit ${toolCallId}` },
  options: [
    { optionId: 'allow', name: 'Allow', kind: 'allow_once' },
    { optionId: 'reject', name: 'Reject', kind: 'reject_once' },
  ],
});

function desk() {
  const lines: RunnerLine[] = [];
  const unanswerable: string[] = [];
  return {
    lines,
    unanswerable,
    desk: new PermissionDesk(
      (l) => lines.push(l),
      (why) => unanswerable.push(why),
    ),
  };
}

describe('permission desk', () => {
  it('prints each request and answers the oldest first with the option given', async () => {
    const { lines, desk: d } = desk();
    const first = d.ask(request('a'));
    const second = d.ask(request('b'));
    expect(d.answer('reject')).toBeNull();
    expect(d.answer('allow')).toBeNull();
    expect(await first).toEqual({ outcome: { outcome: 'selected', optionId: 'reject' } });
    expect(await second).toEqual({ outcome: { outcome: 'selected', optionId: 'allow' } });
    expect(lines.map((l) => [l.type, 'id' in l ? l.id : null])).toEqual([
      ['permission', 1],
      ['permission', 2],
      ['permission_answered', 1],
      ['permission_answered', 2],
    ]);
  });

  it('answers the request an answer names, and refuses one for a request that is not open', async () => {
    const { lines, desk: d } = desk();
    const first = d.ask(request('a'));
    const second = d.ask(request('b'));
    // An answer to a request the agent forged (a number the desk never gave) settles nothing.
    expect(d.answer('allow', 7)).toBe('no permission request 7 is open');
    expect(d.dismiss(7)).toBe('no permission request 7 is open');
    expect(d.answer('allow', 2)).toBeNull();
    expect(await second).toEqual({ outcome: { outcome: 'selected', optionId: 'allow' } });
    expect(d.dismiss(1)).toBeNull();
    expect(await first).toEqual({ outcome: { outcome: 'cancelled' } });
    expect(lines.filter((l) => l.type === 'permission_answered')).toEqual([
      { type: 'permission_answered', id: 2, outcome: 'allow' },
      { type: 'permission_answered', id: 1, outcome: 'cancelled' },
    ]);
  });

  it("hands the person's comment to the agent under _meta, with an option or a dismissal", async () => {
    const { lines, desk: d } = desk();
    const first = d.ask(request('a'));
    const second = d.ask(request('b'));
    expect(d.answer('reject', 1, 'use the other file')).toBeNull();
    expect(d.dismiss(2, 'not now')).toBeNull();
    expect(await first).toEqual({
      outcome: { outcome: 'selected', optionId: 'reject' },
      _meta: { 'tevis/comment': 'use the other file' },
    });
    expect(await second).toEqual({
      outcome: { outcome: 'cancelled' },
      _meta: { 'tevis/comment': 'not now' },
    });
    // The comment is the agent's to read; the runner's own lines do not repeat it.
    expect(JSON.stringify(lines)).not.toContain('use the other file');
  });

  it('keeps the request open on an unknown option or when none is open', async () => {
    const { desk: d } = desk();
    expect(d.answer('allow')).toBe('no permission request is open');
    const open = d.ask(request('a'));
    expect(d.answer('maybe')).toMatch(/"maybe" is not one of allow, reject/);
    expect(d.dismiss()).toBeNull();
    expect(await open).toEqual({ outcome: { outcome: 'cancelled' } });
  });

  it('answers every open and later request cancelled once the turn is cancelled', async () => {
    const { desk: d } = desk();
    const open = d.ask(request('a'));
    d.cancelAll();
    expect(await open).toEqual({ outcome: { outcome: 'cancelled' } });
    expect(await d.ask(request('b'))).toEqual({ outcome: { outcome: 'cancelled' } });
  });

  it('asks for the turn to be cancelled when stdin closes with a request open, or before one', () => {
    const open = desk();
    void open.desk.ask(request('a'));
    open.desk.closeInput();
    expect(open.unanswerable).toHaveLength(1);
    const later = desk();
    later.desk.closeInput();
    expect(later.unanswerable).toHaveLength(0);
    void later.desk.ask(request('a'));
    expect(later.unanswerable).toHaveLength(1);
  });
});
