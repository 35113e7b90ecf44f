import type { PermissionOption, SessionUpdate, ToolCallUpdate } from '@agentclientprotocol/sdk';
import type { RunnerEndReason } from './exit-codes.js';

/**
 * The typed JSON lines the runner writes on stdout (the protocol is described at the top of
 * tpu/acp/runner.ts). Every line carries `"tevis":"acp"` so a worker tells them from anything
 * else the TPU prints.
 */
export const LINE_TAG = 'acp';

/** What a session update is, in the words a log reader shows; ACP's own name for anything newer. */
export type UpdateKind =
  | 'message'
  | 'thought'
  | 'user_message'
  | 'tool_call'
  | 'tool_call_update'
  | 'plan'
  | 'commands'
  | 'mode'
  | (string & {});

const KIND_BY_UPDATE: Record<string, UpdateKind> = {
  agent_message_chunk: 'message',
  agent_thought_chunk: 'thought',
  user_message_chunk: 'user_message',
  tool_call: 'tool_call',
  tool_call_update: 'tool_call_update',
  plan: 'plan',
  available_commands_update: 'commands',
  current_mode_update: 'mode',
};

export interface DiffSummary {
  toolCallId: string;
  path: string;
  oldText: string | null;
  newText: string;
}

/** A line's body; the writer adds the `"tevis":"acp"` tag in front. */
export type RunnerLine =
  | { type: 'started'; sessionId: string; agent: string; resumed?: boolean }
  | { type: 'resume_failed'; message: string }
  | { type: 'update'; kind: UpdateKind; update: SessionUpdate; diffs?: DiffSummary[] }
  | {
      type: 'permission';
      id: number;
      toolCall: ToolCallUpdate;
      options: PermissionOption[];
    }
  | { type: 'permission_answered'; id: number; outcome: string }
  | { type: 'refused'; method: string; path: string; reason: string }
  | { type: 'input_error'; message: string }
  | { type: 'cancelling'; why: string }
  | { type: 'end'; stopReason: RunnerEndReason; exitCode: number; message?: string };

/** The diffs a tool call carries, lifted out so a reader need not dig through its content. */
function diffsOf(update: SessionUpdate): DiffSummary[] {
  if (update.sessionUpdate !== 'tool_call' && update.sessionUpdate !== 'tool_call_update') return [];
  return (update.content ?? []).flatMap((item) =>
    item.type === 'diff'
      ? [
          {
            toolCallId: update.toolCallId,
            path: item.path,
            oldText: item.oldText ?? null,
            newText: item.newText,
          },
        ]
      : [],
  );
}

export function updateLine(update: SessionUpdate): RunnerLine {
  const kind = KIND_BY_UPDATE[update.sessionUpdate] ?? update.sessionUpdate;
  const diffs = diffsOf(update);
  return { type: 'update', kind, update, ...(diffs.length > 0 ? { diffs } : {}) };
}

/** One line per call, written whole, so lines never interleave with each other. */
export function lineWriter(write: (text: string) => void): (line: RunnerLine) => void {
  return (line) => write(`${JSON.stringify({ tevis: LINE_TAG, ...line })}\n`);
}
