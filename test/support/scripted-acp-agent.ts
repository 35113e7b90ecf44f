/**
 * A scripted ACP agent for tests, written with the SDK's agent side: no network, no model. On
 * `session/prompt` it streams a plan, a thought and messages, writes NOTES.md through the client's
 * `fs/write_text_file` inside a tool call (pending → in_progress → completed, with a diff), asks
 * `session/request_permission` once (allow / reject), writes APPROVED.md only when allowed, and
 * ends the turn with `end_turn`. A `session/cancel` (or a `cancelled` permission outcome) stops
 * it with `cancelled`.
 *
 * SCRIPTED_AGENT_MODE changes the script:
 *   crash   exits with code 3 after its first message, mid-turn
 *   wait    after its first message waits for a cancel (for SIGTERM tests)
 *   deaf    after its first message never ends its turn, not even when cancelled
 *   escape  tries each request in SCRIPTED_AGENT_ESCAPES (JSON [{op: "read"|"write"|"terminal", path}]) and
 *           reports each result as a message line "<op> <path>: ok|<error>", then ends the turn;
 *           op "terminal" asks the client to run `touch <path>` in a terminal
 *
 * SCRIPTED_AGENT_OPTIONS=all offers "always" (allow_always) and "never" (reject_always) beside
 * "allow" and "reject", and the agent's closing message names an option other than those two.
 *
 * SCRIPTED_AGENT_STATE (a directory) makes it able to load a session (`loadSession`): it keeps
 * each session's progress there, and a loaded session's turn skips the steps already done.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import {
  type AgentContext,
  agent,
  methods,
  ndJsonStream,
  PROTOCOL_VERSION,
  RequestError,
} from '@agentclientprotocol/sdk';
import type { RequestPermissionRequest, SessionUpdate, StopReason } from '@agentclientprotocol/sdk';

const MODE = process.env.SCRIPTED_AGENT_MODE ?? 'script';
const STATE_DIR = process.env.SCRIPTED_AGENT_STATE;
const ALL_OPTIONS = process.env.SCRIPTED_AGENT_OPTIONS === 'all';

interface Progress {
  notesWritten: boolean;
}

const progressFile = (sessionId: string) => join(STATE_DIR ?? '.', `${sessionId}.json`);

function loadProgress(sessionId: string): Progress | null {
  if (!STATE_DIR || !existsSync(progressFile(sessionId))) return null;
  return JSON.parse(readFileSync(progressFile(sessionId), 'utf8')) as Progress;
}

function saveProgress(sessionId: string, progress: Progress): void {
  if (!STATE_DIR) return;
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(progressFile(sessionId), JSON.stringify(progress));
}
export const NOTES_TEXT = 'written by the scripted agent\n';
export const APPROVED_TEXT = 'the person allowed it\n';

class Cancelled extends Error {}

interface Turn {
  client: AgentContext;
  sessionId: string;
  cwd: string;
  signal: AbortSignal;
  prompt: string;
}

async function send(turn: Turn, update: SessionUpdate): Promise<void> {
  if (turn.signal.aborted) throw new Cancelled();
  await turn.client.notify(methods.client.session.update, { sessionId: turn.sessionId, update });
}

const say = (turn: Turn, text: string) =>
  send(turn, { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text } });

async function script(turn: Turn): Promise<StopReason> {
  const notes = `${turn.cwd}/NOTES.md`;
  await send(turn, {
    sessionUpdate: 'plan',
    entries: [
      { content: 'write NOTES.md', priority: 'high', status: 'in_progress' },
      { content: 'ask before writing APPROVED.md', priority: 'medium', status: 'pending' },
    ],
  });
  // The prompt as received, so a test sees the goal and context reached the agent.
  const text = `Notes first. I was asked:\n${turn.prompt}`;
  await send(turn, { sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text } });
  if (loadProgress(turn.sessionId)?.notesWritten) await say(turn, 'NOTES.md is written already.');
  else await writeNotes(turn, notes);
  return askAndFinish(turn);
}

async function writeNotes(turn: Turn, notes: string): Promise<void> {
  await say(turn, 'I will write NOTES.md.');
  await send(turn, {
    sessionUpdate: 'tool_call',
    toolCallId: 'edit-notes',
    title: 'Write NOTES.md',
    kind: 'edit',
    status: 'pending',
    locations: [{ path: notes }],
  });
  await send(turn, { sessionUpdate: 'tool_call_update', toolCallId: 'edit-notes', status: 'in_progress' });
  await turn.client.request(methods.client.fs.writeTextFile, {
    sessionId: turn.sessionId,
    path: notes,
    content: NOTES_TEXT,
  });
  await send(turn, {
    sessionUpdate: 'tool_call_update',
    toolCallId: 'edit-notes',
    status: 'completed',
    content: [{ type: 'diff', path: notes, oldText: null, newText: NOTES_TEXT }],
  });
  saveProgress(turn.sessionId, { notesWritten: true });
}

async function askAndFinish(turn: Turn): Promise<StopReason> {
  const approved = `${turn.cwd}/APPROVED.md`;
  const askFor = { toolCallId: 'edit-approved', title: 'Write APPROVED.md', kind: 'edit' as const };
  await send(turn, {
    sessionUpdate: 'tool_call',
    ...askFor,
    status: 'pending',
    locations: [{ path: approved }],
  });
  const permission: RequestPermissionRequest = {
    sessionId: turn.sessionId,
    toolCall: askFor,
    options: [
      { optionId: 'allow', name: 'Allow this change', kind: 'allow_once' },
      ...(ALL_OPTIONS
        ? [{ optionId: 'always', name: 'Always allow writes', kind: 'allow_always' as const }]
        : []),
      { optionId: 'reject', name: 'Skip this change', kind: 'reject_once' },
      ...(ALL_OPTIONS
        ? [{ optionId: 'never', name: 'Never allow writes', kind: 'reject_always' as const }]
        : []),
    ],
  };
  const answer = await turn.client.request(methods.client.session.requestPermission, permission);
  const { outcome } = answer;
  if (outcome.outcome === 'cancelled') return 'cancelled';
  // The person's comment, when the client sends one (tpu/acp/permission-desk.ts), is said back.
  const comment = answer._meta?.['tevis/comment'];
  const said = typeof comment === 'string' ? ` The person said: ${comment}` : '';
  const how = outcome.optionId === 'allow' || outcome.optionId === 'reject' ? '' : ` (${outcome.optionId})`;
  if (outcome.optionId === 'allow' || outcome.optionId === 'always') {
    await turn.client.request(methods.client.fs.writeTextFile, {
      sessionId: turn.sessionId,
      path: approved,
      content: APPROVED_TEXT,
    });
    await send(turn, { sessionUpdate: 'tool_call_update', toolCallId: 'edit-approved', status: 'completed' });
    await say(turn, `Allowed${how}: APPROVED.md written.${said}`);
  } else {
    await send(turn, { sessionUpdate: 'tool_call_update', toolCallId: 'edit-approved', status: 'failed' });
    await say(turn, `Rejected${how}: APPROVED.md left alone.${said}`);
  }
  await say(turn, 'Done.');
  return 'end_turn';
}

async function tryEscapes(turn: Turn): Promise<StopReason> {
  const attempts = JSON.parse(process.env.SCRIPTED_AGENT_ESCAPES ?? '[]') as { op: string; path: string }[];
  for (const { op, path } of attempts) {
    const sessionId = turn.sessionId;
    const request =
      op === 'read'
        ? turn.client.request(methods.client.fs.readTextFile, { sessionId, path })
        : op === 'write'
          ? turn.client.request(methods.client.fs.writeTextFile, { sessionId, path, content: 'escaped\n' })
          : turn.client.request(methods.client.terminal.create, {
              sessionId,
              command: 'touch',
              args: [path],
            });
    const result = await request.then(
      () => 'ok',
      (error: Error) => error.message,
    );
    await say(turn, `${op} ${path}: ${result}`);
  }
  return 'end_turn';
}

async function prompt(turn: Turn): Promise<StopReason> {
  if (MODE === 'escape') return tryEscapes(turn);
  if (MODE === 'script') return script(turn);
  await say(turn, 'Starting.');
  if (MODE === 'crash') process.exit(3);
  if (MODE === 'deaf') await new Promise(() => {});
  await new Promise((resolve) => turn.signal.addEventListener('abort', resolve, { once: true }));
  throw new Cancelled();
}

const turns = new Map<string, AbortController>();
const cwds = new Map<string, string>();
let sessions = 0;

agent({ name: 'scripted-acp-agent' })
  .onRequest(methods.agent.initialize, () => ({
    protocolVersion: PROTOCOL_VERSION,
    agentCapabilities: { loadSession: Boolean(STATE_DIR) },
  }))
  .onRequest(methods.agent.session.new, ({ params }) => {
    // Unique across processes when sessions are kept: a restarted agent must not reuse an id.
    const sessionId = STATE_DIR ? `scripted-${process.pid}-${++sessions}` : `scripted-${++sessions}`;
    cwds.set(sessionId, params.cwd);
    saveProgress(sessionId, { notesWritten: false });
    return { sessionId };
  })
  .onRequest(methods.agent.session.load, ({ params }) => {
    if (!loadProgress(params.sessionId)) throw RequestError.resourceNotFound(params.sessionId);
    cwds.set(params.sessionId, params.cwd);
    return {};
  })
  .onRequest(methods.agent.session.prompt, async ({ params, client }) => {
    const controller = new AbortController();
    turns.set(params.sessionId, controller);
    const turn = {
      client,
      sessionId: params.sessionId,
      cwd: cwds.get(params.sessionId)!,
      signal: controller.signal,
      prompt: params.prompt.map((block) => (block.type === 'text' ? block.text : '')).join(''),
    };
    try {
      return { stopReason: await prompt(turn) };
    } catch (error) {
      if (error instanceof Cancelled || controller.signal.aborted)
        return { stopReason: 'cancelled' as const };
      throw error;
    }
  })
  .onNotification(methods.agent.session.cancel, ({ params }) => turns.get(params.sessionId)?.abort())
  .connect(
    ndJsonStream(Writable.toWeb(process.stdout), Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>),
  );
