import { describe, expect, it } from 'vitest';
import type { LogLine, SessionLogLine } from '../../cli/api-client.js';
import { outputLinePrinter } from '../../cli/output-line-printer.js';
import { renderLogLine, renderSessionLogLine } from '../../cli/render/nanocycle.js';
import { updateLine } from '../../tpu/acp/runner-lines.js';
import { EDIT_TOOL_CALL, textBlock, writtenLine } from '../support/acp-lines.js';

const AT = '2025-03-01T10:00:00.000Z';
let seq = 0;
const stored = (stream: LogLine['stream'], line: string, nanocycleId = 'NC-001'): SessionLogLine => ({
  nanocycleId,
  seq: ++seq,
  run: 1,
  attempt: 1,
  stream,
  line,
  at: AT,
});
const message = (text: string, nc?: string) =>
  stored(
    'acp',
    writtenLine(updateLine({ sessionUpdate: 'agent_message_chunk', content: textBlock(text) })),
    nc,
  );
const thought = (text: string) =>
  stored('acp', writtenLine(updateLine({ sessionUpdate: 'agent_thought_chunk', content: textBlock(text) })));

function printed(prefixed: boolean) {
  const out: string[] = [];
  const sink = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(`<err>${t}`) };
  const printer = prefixed
    ? outputLinePrinter<SessionLogLine>(sink, {
        render: renderSessionLogLine,
        prefix: (l) => `${l.nanocycleId}  `,
      })
    : outputLinePrinter<LogLine>(sink, { render: renderLogLine, prefix: () => '' });
  return { printer, text: () => out.join('') };
}

describe("the printer of `nanocycle logs` and `session output`: an agent's streamed pieces", () => {
  it('runs the pieces of one message on as one text, a thought apart, and ends it before anything else', () => {
    const { printer, text } = printed(false);
    for (const line of [
      thought('Let me '),
      thought('look.'),
      message('I will '),
      message('edit a.ts.\nThen '),
      message('test it.'),
      stored('acp', writtenLine(EDIT_TOOL_CALL)),
      message('Done.'),
      stored('stderr', 'warning'),
      stored('stdout', 'plain'),
    ])
      printer.print(line);
    printer.end();
    expect(text()).toBe(
      [
        'thought: Let me look.',
        'I will edit a.ts.',
        'Then test it.',
        'tool [edit] Edit src/a.ts (pending)',
        'diff src/a.ts (+2 −1)',
        'Done.',
        '<err>warning',
        'plain',
        '',
      ].join('\n'),
    );
  });

  it("keeps each line of the session's output after its nanocycle, and two nanocycles' messages apart", () => {
    const { printer, text } = printed(true);
    for (const line of [message('one\n'), message('two'), message('other', 'NC-002'), message('three')])
      printer.print(line);
    printer.end();
    expect(text()).toBe('NC-001  one\nNC-001  two\nNC-002  other\nNC-001  three\n');
  });

  it('leaves a message open while it streams, and end() closes it once', () => {
    const { printer, text } = printed(false);
    printer.print(message('still '));
    printer.print(message('typing'));
    expect(text()).toBe('still typing');
    printer.end();
    printer.end();
    expect(text()).toBe('still typing\n');
    printer.print(message('next'));
    printer.end();
    expect(text()).toBe('still typing\nnext\n');
  });
});
