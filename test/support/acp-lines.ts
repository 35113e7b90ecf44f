import type { AgentPermissionRequest } from '../../contracts/agent-permission.js';
import { lineWriter, type RunnerLine, updateLine } from '../../tpu/acp/runner-lines.js';

/**
 * What an ACP run leaves in a nanocycle's output and its hold point, built with the runner's own
 * writer (tpu/acp/runner-lines.ts), for the tests of how they are shown.
 */

/** A line exactly as the runner writes it, without its newline. */
export function writtenLine(line: RunnerLine): string {
  let text = '';
  lineWriter((t) => {
    text = t;
  })(line);
  return text.trimEnd();
}

export const textBlock = (text: string) => ({ type: 'text' as const, text });

/** The agent announces an edit of src/a.ts: `a` becomes `b`, `c` (+2 −1). */
export const EDIT_TOOL_CALL = updateLine({
  sessionUpdate: 'tool_call',
  toolCallId: 't1',
  title: 'Edit src/a.ts',
  kind: 'edit',
  status: 'pending',
  content: [{ type: 'diff', path: '/workspace/src/a.ts', oldText: 'a\n', newText: 'b\nc\n' }],
});

export const EDIT_OPTIONS: AgentPermissionRequest['options'] = [
  { optionId: 'yes', name: 'Allow once', kind: 'allow_once' },
  { optionId: 'no', name: 'Reject', kind: 'reject_once' },
];

/** The agent asks to make that edit. */
export const EDIT_PERMISSION: RunnerLine = {
  type: 'permission',
  id: 1,
  toolCall: { toolCallId: 't1', title: 'Edit src/a.ts', kind: 'edit' },
  options: EDIT_OPTIONS,
};

/** The request an `agent` hold point keeps for it, with the input given. */
export function editRequest(input: string): AgentPermissionRequest {
  return {
    requestId: 1,
    toolCall: {
      toolCallId: 't1',
      title: 'Edit src/a.ts',
      kind: 'edit',
      paths: ['/workspace/src/a.ts'],
      input,
    },
    options: EDIT_OPTIONS,
  };
}
