import { describe, expect, it } from 'vitest';
import { exitCodeFor, RUNNER_EXIT } from '../../tpu/acp/exit-codes.js';
import { promptText } from '../../tpu/acp/prompt-text.js';
import { lineWriter, updateLine } from '../../tpu/acp/runner-lines.js';

describe('ACP runner lines', () => {
  it("types each update in a reader's words, keeping ACP's name for the ones it does not know", () => {
    const text = { type: 'text' as const, text: 'hi' };
    expect(updateLine({ sessionUpdate: 'agent_message_chunk', content: text })).toMatchObject({
      kind: 'message',
    });
    expect(updateLine({ sessionUpdate: 'agent_thought_chunk', content: text })).toMatchObject({
      kind: 'thought',
    });
    expect(updateLine({ sessionUpdate: 'plan', entries: [] })).toMatchObject({ kind: 'plan' });
    expect(updateLine({ sessionUpdate: 'usage_update', used: 1, size: 2 } as never)).toMatchObject({
      kind: 'usage_update',
    });
  });

  it("lifts a tool call's diffs out of its content", () => {
    const line = updateLine({
      sessionUpdate: 'tool_call_update',
      toolCallId: 't1',
      content: [
        { type: 'content', content: { type: 'text', text: 'note' } },
        { type: 'diff', path: '/workspace/a.md', newText: 'new\n' },
      ],
    });
    expect(line).toMatchObject({
      kind: 'tool_call_update',
      diffs: [{ toolCallId: 't1', path: '/workspace/a.md', oldText: null, newText: 'new\n' }],
    });
    expect(updateLine({ sessionUpdate: 'tool_call', toolCallId: 't2', title: 'x' })).not.toHaveProperty(
      'diffs',
    );
  });

  it('writes one tagged JSON object a line', () => {
    const out: string[] = [];
    lineWriter((t) => out.push(t))({ type: 'cancelling', why: 'SIGTERM' });
    expect(out).toEqual(['{"tevis":"acp","type":"cancelling","why":"SIGTERM"}\n']);
  });

  it("gives every end its own exit code, never 75 (the plain commands' hold point)", () => {
    const codes = Object.values(RUNNER_EXIT);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).not.toContain(75);
    expect(exitCodeFor('end_turn')).toBe(0);
    expect(exitCodeFor('max_tokens')).toBe(exitCodeFor('max_turn_requests'));
  });

  it('prompts with the goal, then planning documents, preferences and memory', () => {
    const text = promptText('Add a README', {
      documents: [{ path: '.tevis/plan.md', content: '# Plan\n- one\n' }],
      preferences: { style: 'terse' },
      memory: ['Session 1 added tests.'],
      leftOut: [],
    });
    expect(text).toBe(
      '# Goal\n\nAdd a README\n\n# Planning document: .tevis/plan.md\n\n# Plan\n- one\n\n# Preferences\n\n- style: terse\n\n# Project memory (earlier sessions)\n\n- Session 1 added tests.\n',
    );
    expect(promptText('', { documents: [], preferences: {}, memory: [], leftOut: [] })).toBe(
      '# Goal\n\n(no goal given)\n',
    );
  });
});
