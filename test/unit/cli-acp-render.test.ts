import { describe, expect, it } from 'vitest';
import type { HoldPointRecord, LogLine } from '../../cli/api-client.js';
import { renderAgentRequest, renderAgentRequests } from '../../cli/render/agent-request.js';
import {
  logLineDestination,
  renderLogLine,
  renderLogLineJson,
  renderSessionLogLine,
} from '../../cli/render/nanocycle.js';
import { type AgentPermissionRequest, optionFor } from '../../contracts/agent-permission.js';
import { agentRequestView } from '../../contracts/agent-request-view.js';
import { EDIT_TOOL_CALL, editRequest, writtenLine } from '../support/acp-lines.js';

const AT = '2025-03-01T10:00:00.000Z';
const acp = (body: Record<string, unknown>, seq = 1): LogLine => ({
  seq,
  run: 1,
  attempt: 1,
  stream: 'acp',
  line: JSON.stringify({ tevis: 'acp', ...body }),
  at: AT,
});
const toolCall: LogLine = { ...acp({}), line: writtenLine(EDIT_TOOL_CALL) };
const REQUEST: AgentPermissionRequest = {
  ...editRequest('{"path":"src/a.ts",\n"text":"b"}'),
  options: [
    { optionId: 'once', name: 'Allow once', kind: 'allow_once' },
    { optionId: 'always', name: 'Allow always', kind: 'allow_always' },
    { optionId: 'no', name: 'Reject', kind: 'reject_once' },
  ],
};
function hold(overrides: Partial<HoldPointRecord> = {}): HoldPointRecord {
  return {
    id: 'HP-001-agent-1',
    nanocycleId: 'NC-001',
    kind: 'agent',
    reason: 'the agent asks: Edit src/a.ts',
    status: 'pending',
    openedAt: AT,
    resolvedAt: null,
    resolvedBy: null,
    comment: null,
    agentRequest: REQUEST,
    ...overrides,
  };
}

describe('acp output lines in `nanocycle logs` and `session output`', () => {
  it('prints an acp line in words, on stdout; --json keeps the stored line as it is', () => {
    expect(renderLogLine(toolCall)).toBe('tool [edit] Edit src/a.ts (pending)\ndiff src/a.ts (+2 −1)');
    expect(logLineDestination(toolCall)).toBe('stdout');
    expect(JSON.parse(renderLogLineJson(toolCall))).toEqual(toolCall);
    const thought = acp({
      type: 'update',
      kind: 'thought',
      update: { sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: 'look first' } },
    });
    expect(renderLogLine(thought)).toBe('thought: look first');
  });

  it('puts the nanocycle in front of each line an acp line prints', () => {
    expect(renderSessionLogLine({ ...toolCall, nanocycleId: 'NC-002' })).toBe(
      'NC-002  tool [edit] Edit src/a.ts (pending)\nNC-002  diff src/a.ts (+2 −1)',
    );
  });

  it('never prints an acp line raw: bad JSON and terminal escapes give a short plain line', () => {
    const bad: LogLine = { ...toolCall, line: '\u001b[2J{"tevis":"acp",' };
    expect(renderLogLine(bad)).toBe('acp line that is not JSON: {"tevis":"acp",');
    // Other streams are the TPU's own output and stay as printed.
    expect(renderLogLine({ ...toolCall, stream: 'stdout', line: '{"type":"end"}' })).toBe('{"type":"end"}');
  });
});

describe("an agent hold point's request in `hold list`", () => {
  it('shows the tool call, its paths and input, and the options approve and reject answer with', () => {
    expect(renderAgentRequest(hold())).toBe(
      [
        'HP-001-agent-1 (NC-001) asks: [edit] Edit src/a.ts',
        '  paths: src/a.ts',
        '  input: {"path":"src/a.ts", "text":"b"}',
        '  options: Allow once [approve] / Allow always [approve --option always] / Reject [reject]',
      ].join('\n'),
    );
  });

  it('says nothing for hold points without a request, and a block for each that has one', () => {
    expect(renderAgentRequest(hold({ kind: 'merge', agentRequest: null }))).toBeNull();
    expect(renderAgentRequest(hold({ agentRequest: undefined }))).toBeNull();
    const two = renderAgentRequests([
      hold(),
      hold({ id: 'HP-002-merge', agentRequest: null }),
      hold({ id: 'HP-003-agent-1' }),
    ]);
    expect(two.split('\n\n')).toHaveLength(2);
    expect(renderAgentRequests([hold({ agentRequest: null })])).toBe('');
  });

  it('marks the same option approve and reject pick as the API does (optionFor)', () => {
    const kinds = ['allow_once', 'allow_always', 'reject_once', 'reject_always'] as const;
    // Every non-empty set of option kinds, in both orders.
    for (let mask = 1; mask < 16; mask++) {
      const chosen = kinds.filter((_, i) => mask & (1 << i));
      for (const order of [chosen, [...chosen].reverse()]) {
        const options = order.map((kind) => ({ optionId: kind, name: kind, kind }));
        const view = agentRequestView({ ...REQUEST, options })!;
        for (const decision of ['approve', 'reject'] as const) {
          const marked = view.options.filter((o) => o.answers === decision).map((o) => o.name);
          expect(marked).toEqual(
            optionFor({ options }, decision) ? [optionFor({ options }, decision)!.name] : [],
          );
        }
      }
    }
  });

  it('shows a hostile request as plain text', () => {
    const hostile = hold({
      agentRequest: {
        ...REQUEST,
        toolCall: {
          ...REQUEST.toolCall,
          title: 'Run \u001b[31mrm\u001b[0m\u202e',
          paths: ['\u001b]0;x\u0007a'],
        },
      },
    });
    const text = renderAgentRequest(hostile)!;
    expect(text).toContain('asks: [edit] Run rm\n');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });
});
