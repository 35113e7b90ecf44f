import { describe, expect, it } from 'vitest';
import { acpLineParts, acpLineText } from '../../contracts/acp-line-text.js';
import { updateLine } from '../../tpu/acp/runner-lines.js';
import { EDIT_PERMISSION, textBlock, writtenLine } from '../support/acp-lines.js';

const raw = (body: Record<string, unknown>) => JSON.stringify({ tevis: 'acp', ...body });
const text = textBlock;
const written = writtenLine;

describe('acp line text: every type the runner writes', () => {
  it('opens with the agent and its session', () => {
    expect(acpLineText(written({ type: 'started', sessionId: 's-1', agent: 'scripted-agent' }))).toBe(
      'agent scripted-agent started (session s-1)',
    );
    // After a lost worker: the session loaded again, or why not and a new one.
    expect(acpLineText(written({ type: 'started', sessionId: 's-1', agent: 'a', resumed: true }))).toBe(
      'agent a started (session s-1, resumed)',
    );
    expect(acpLineText(written({ type: 'resume_failed', message: 'no loadSession capability' }))).toBe(
      "could not resume the agent's session: no loadSession capability",
    );
    expect(acpLineText(written({ type: 'started', sessionId: 's-2', agent: 'a', resumed: false }))).toBe(
      'agent a started (session s-2, a new one)',
    );
  });

  it('shows message chunks as their text, keeping their newlines; a thought and the user marked', () => {
    const message = written(updateLine({ sessionUpdate: 'agent_message_chunk', content: text('one\ntwo') }));
    expect(acpLineParts(message)).toEqual([{ kind: 'message', text: 'one\ntwo', chunk: 'one\ntwo' }]);
    const thought = written(updateLine({ sessionUpdate: 'agent_thought_chunk', content: text('hmm') }));
    expect(acpLineParts(thought)).toEqual([{ kind: 'thought', text: 'thought: hmm', chunk: 'hmm' }]);
    const user = written(updateLine({ sessionUpdate: 'user_message_chunk', content: text('the goal') }));
    expect(acpLineText(user)).toBe('user: the goal');
    const image = written(
      updateLine({
        sessionUpdate: 'agent_message_chunk',
        content: { type: 'image', data: 'x', mimeType: 'image/png' },
      }),
    );
    expect(acpLineText(image)).toBe('[image]');
    const link = { type: 'resource_link' as const, uri: 'file:///workspace/a.md', name: 'a.md' };
    const embedded = { type: 'resource' as const, resource: { uri: 'file:///b.md', text: 'b' } };
    for (const [content, shown] of [
      [link, '[resource_link file:///workspace/a.md]'],
      [embedded, '[resource file:///b.md]'],
    ] as const)
      expect(acpLineText(written(updateLine({ sessionUpdate: 'agent_message_chunk', content })))).toBe(shown);
  });

  it('shows a tool call with its kind and status, its diffs as their own parts, and its status changes', () => {
    const call = written(
      updateLine({
        sessionUpdate: 'tool_call',
        toolCallId: 't1',
        title: 'Edit src/a.ts',
        kind: 'edit',
        status: 'pending',
        content: [
          { type: 'diff', path: '/workspace/src/a.ts', oldText: 'a\nb\nc\n', newText: 'a\nB\nc\nd\ne\n' },
        ],
      }),
    );
    expect(acpLineParts(call)).toEqual([
      { kind: 'tool', text: 'tool [edit] Edit src/a.ts (pending)' },
      { kind: 'diff', text: 'diff src/a.ts (+3 −1)' },
    ]);
    const created = written(
      updateLine({
        sessionUpdate: 'tool_call_update',
        toolCallId: 't2',
        content: [{ type: 'diff', path: '/workspace/NEW.md', newText: 'x\ny\n' }],
      }),
    );
    expect(acpLineText(created)).toBe('tool t2 updated\ndiff NEW.md (+2 −0) new file');
    const done = written(
      updateLine({
        sessionUpdate: 'tool_call_update',
        toolCallId: 't1',
        title: 'Edit src/a.ts',
        status: 'completed',
      }),
    );
    expect(acpLineParts(done)).toEqual([{ kind: 'tool_update', text: 'tool Edit src/a.ts → completed' }]);
    const bare = written(updateLine({ sessionUpdate: 'tool_call', toolCallId: 't3', title: 'Look' }));
    expect(acpLineText(bare)).toBe('tool Look (pending)');
  });

  it('shows a plan as its entries with status marks', () => {
    const plan = written(
      updateLine({
        sessionUpdate: 'plan',
        entries: [
          { content: 'read the code', priority: 'high', status: 'completed' },
          { content: 'edit a.ts', priority: 'medium', status: 'in_progress' },
          { content: 'run the tests', priority: 'low', status: 'pending' },
        ],
      }),
    );
    expect(acpLineParts(plan)).toEqual([
      { kind: 'plan', text: 'plan (3 entries)\n  [x] read the code\n  [>] edit a.ts\n  [ ] run the tests' },
    ]);
  });

  it('names the commands, the mode, and an update kind it does not know', () => {
    const commands = written(
      updateLine({
        sessionUpdate: 'available_commands_update',
        availableCommands: [
          { name: 'test', description: 'run tests' },
          { name: 'plan', description: 'plan' },
        ],
      }),
    );
    expect(acpLineText(commands)).toBe('commands: /test /plan');
    expect(
      acpLineText(written(updateLine({ sessionUpdate: 'current_mode_update', currentModeId: 'code' }))),
    ).toBe('mode: code');
    const usage = written(updateLine({ sessionUpdate: 'usage_update', used: 1, size: 2 } as never));
    expect(acpLineParts(usage)).toEqual([{ kind: 'update', text: 'update usage_update' }]);
  });

  it('shows a permission request with its options, its answer, a refused file request, input errors, cancel and end', () => {
    const permission = written(EDIT_PERMISSION);
    expect(acpLineParts(permission)).toEqual([
      { kind: 'permission', text: 'asks: [edit] Edit src/a.ts — options: Allow once / Reject' },
    ]);
    expect(acpLineText(written({ type: 'permission_answered', id: 1, outcome: 'yes' }))).toBe(
      'answered: yes',
    );
    expect(
      acpLineText(
        written({
          type: 'refused',
          method: 'fs/read_text_file',
          path: '/etc/passwd',
          reason: 'outside the worktree',
        }),
      ),
    ).toBe('refused fs/read_text_file /etc/passwd: outside the worktree');
    expect(acpLineText(written({ type: 'input_error', message: 'not JSON' }))).toBe(
      'input not understood: not JSON',
    );
    expect(acpLineText(written({ type: 'cancelling', why: 'SIGTERM' }))).toBe('cancelling: SIGTERM');
    expect(acpLineParts(written({ type: 'end', stopReason: 'end_turn', exitCode: 0 }))).toEqual([
      { kind: 'end', text: 'end: end_turn (exit 0)' },
    ]);
    expect(
      acpLineText(
        written({ type: 'end', stopReason: 'agent_crashed', exitCode: 23, message: 'agent exited' }),
      ),
    ).toBe('end: agent_crashed (exit 23): agent exited');
  });
});

describe('acp line text: any input, never a throw', () => {
  it.each([
    ['{not json', 'acp line that is not JSON: {not json'],
    ['', 'acp line that is not JSON: '],
    ['null', 'acp line that is not an object: null'],
    ['[1,2]', 'acp line that is not an object: [1,2]'],
    ['"text"', 'acp line that is not an object: "text"'],
    [raw({ type: 'teleport' }), 'acp line of an unknown type: teleport'],
    [raw({}), 'acp line of an unknown type: (none)'],
    [raw({ type: { nested: true } }), 'acp line of an unknown type: (none)'],
  ])('%j reads as a short fallback', (line, expected) => {
    expect(acpLineParts(line)).toEqual([{ kind: 'unreadable', text: expected }]);
  });

  it('reads lines whose fields have the wrong shapes', () => {
    const odd = [
      raw({ type: 'update' }),
      raw({ type: 'update', kind: 'plan', update: { entries: 'many' } }),
      raw({ type: 'update', kind: 'plan', update: { entries: [null, 3, { status: 'weird' }] } }),
      raw({ type: 'update', kind: 'tool_call', update: null, diffs: [null, { path: 5, newText: 7 }] }),
      raw({ type: 'update', kind: 'message', update: { content: 'not a block' } }),
      raw({ type: 'update', kind: 'commands', update: { availableCommands: [null] } }),
      raw({ type: 'permission', toolCall: 'x', options: [null, 4, { name: { deep: 1 } }] }),
      raw({ type: 'end', exitCode: '0' }),
      raw({ type: 'refused' }),
    ];
    for (const line of odd) {
      const parts = acpLineParts(line);
      expect(parts.length).toBeGreaterThan(0);
      for (const part of parts) expect(part.text.length).toBeLessThan(500);
    }
    expect(
      acpLineText(raw({ type: 'update', kind: 'plan', update: { entries: [null, { status: 'weird' }] } })),
    ).toBe('plan (2 entries)\n  [?] \n  [?] ');
    expect(acpLineParts(42)).toEqual([{ kind: 'unreadable', text: 'acp line that is not text' }]);
  });

  it('cuts huge fields short and says how long a line too long to read was', () => {
    const title = 'x'.repeat(100_000);
    const permission = acpLineText(raw({ type: 'permission', toolCall: { title }, options: [] }));
    expect(permission.length).toBeLessThan(300);
    expect(permission).toContain('…');
    const message = acpLineText(
      raw({ type: 'update', kind: 'message', update: { content: text('y'.repeat(50_000)) } }),
    );
    expect(message.length).toBeLessThanOrEqual(4000);
    const entries = Array.from({ length: 500 }, (_, i) => ({ content: `step ${i}`, status: 'pending' }));
    const plan = acpLineText(raw({ type: 'update', kind: 'plan', update: { entries } }));
    expect(plan.split('\n')).toHaveLength(52);
    expect(plan).toContain('… 450 more');
    const huge = raw({ type: 'update', kind: 'message', update: { content: text('z'.repeat(2_000_000)) } });
    expect(acpLineText(huge)).toBe(`acp line too long to show (${huge.length} characters)`);
  });

  it('drops terminal escapes and direction overrides: a hostile string prints as plain text', () => {
    const hostile = raw({
      type: 'permission',
      toolCall: {
        title: 'Run \u001b[31mrm -rf\u001b[0m \u001b]0;owned\u0007 \u202egnp.exe\u202c',
        kind: 'exec\rute',
      },
      options: [{ name: 'Allow\u0000 once', optionId: 'a', kind: 'allow_once' }],
    });
    const shown = acpLineText(hostile);
    expect(shown).toBe('asks: [execute] Run rm -rf ]0;owned gnp.exe — options: Allow once');
    expect(shown).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    const message = acpLineText(
      raw({ type: 'update', kind: 'message', update: { content: text('a\u001b[2Jb\nc\td') } }),
    );
    expect(message).toBe('ab\nc d');
    // Markup is text here; the page puts it in as text too (test/e2e/mission-control-acp.test.ts).
    expect(acpLineText(raw({ type: 'cancelling', why: '<img src=x onerror=alert(1)>' }))).toBe(
      'cancelling: <img src=x onerror=alert(1)>',
    );
  });
});
