/**
 * The in-TPU ACP client runner. It runs INSIDE the TPU (container or sandbox), next to the agent,
 * never on the worker host: it starts the agent, speaks the Agent Client Protocol with it over the
 * agent's stdio, and serves the agent's file requests inside the worktree only. It has no more
 * rights than the agent beside it: the TPU stays the trust boundary; confining file requests keeps
 * the protocol from handing the agent more than its worktree. The worker
 * side ships it into the TPU (activities/tpu/tpu-spec.ts) and reads and writes the lines below.
 *
 *   node --import tsx tpu/acp/runner.ts [--root /workspace] [--goal TEXT] [--context FILE.json]
 *     -- <agent command> [args...]
 *
 * The goal defaults to $TEVIS_GOAL; the context file (else $TEVIS_ACP_CONTEXT) holds the session's loaded context
 * (tpu/acp/prompt-text.ts says its shape). The agent starts in the root, gets `initialize`
 * (fs read/write yes, terminal no), `session/new` with cwd = root, and one `session/prompt`.
 *
 * stdout: one JSON object a line, each `{"tevis":"acp","type":...}`, in the order things happen
 * (tpu/acp/runner-lines.ts has their shapes):
 *   started              the ACP session is open: {sessionId, agent, resumed?}; resumed says,
 *                        on a run restarted with $TEVIS_ACP_RESUME, whether session/load took
 *   resume_failed        that session could not be loaded: {message}; a new one starts
 *   update               one per `session/update`: {kind, update, diffs?}; kind is message, thought,
 *                        user_message, tool_call, tool_call_update, plan, commands, mode, or
 *                        ACP's own name; diffs lifts a tool call's diff content out
 *   permission           the agent asks: {id, toolCall, options}; the runner waits for stdin
 *   permission_answered  {id, outcome}: the optionId given, or "cancelled"
 *   refused              a file request outside the worktree: {method, path, reason}
 *   input_error          a stdin line that was not understood (it changed nothing)
 *   cancelling           the runner sent `session/cancel`: {why}
 *   end                  last line: {stopReason, exitCode, message?}
 * Other output (the agent's stderr, passed through on stderr) carries no tag.
 *
 * stdin: one JSON object a line.
 *   {"optionId":"<id>","requestId":<n>}  answers permission request n (without requestId: the
 *                        oldest open one) with that option
 *   {"cancelled":true,"requestId":<n>}   answers it `cancelled` (the turn goes on; the agent decides)
 *                        Either may carry "comment":"<text>", the person's words: the answer then
 *                        has `_meta: {"tevis/comment": text}` (tpu/acp/permission-desk.ts)
 *   {"cancel":true}      cancels the turn, as SIGTERM does
 * When stdin ends, a permission request open then or later cancels the turn: nobody can answer.
 *
 * Cancel (SIGTERM or the line): open permission requests are answered `cancelled`, `session/cancel`
 * is sent, and the runner waits for the agent to end the turn (an agent that never does is left
 * to the TPU's own stop: docker's kill after its grace period, the sandbox's process group kill).
 *
 * Exit codes (tpu/acp/exit-codes.ts): 0 end_turn, 20 cancelled, 21 refusal, 22 max_tokens or
 * max_turn_requests, 23 agent crashed (could not start, exited, broke the protocol or failed a
 * request mid-turn), 64 usage (no agent command, unreadable context file or root). Never 75, the plain commands' hold-point code.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import {
  type ClientContext,
  methods,
  ndJsonStream,
  PROTOCOL_VERSION,
  type StopReason,
} from '@agentclientprotocol/sdk';
import { parseControlLine } from './control-input.js';
import { exitCodeFor, type RunnerEndReason } from './exit-codes.js';
import { PermissionDesk } from './permission-desk.js';
import { PromptContext, promptText } from './prompt-text.js';
import { runnerClient } from './runner-client.js';
import { lineWriter } from './runner-lines.js';
import { WorktreeFiles } from './worktree-files.js';

const emit = lineWriter((text) => process.stdout.write(text));

interface Ending {
  reason: RunnerEndReason;
  message?: string;
}

async function loadSetup(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      root: { type: 'string', default: '/workspace' },
      goal: { type: 'string' },
      context: { type: 'string' },
    },
  });
  const [command, ...args] = positionals;
  if (!command) throw new Error('name the agent command after "--", e.g. -- my-agent --acp');
  // A file when given, else what the worker put in the environment (its size is bounded there).
  const contextText = values.context
    ? await readFile(values.context, 'utf8')
    : (process.env.TEVIS_ACP_CONTEXT ?? '{}');
  const context = PromptContext.parse(JSON.parse(contextText));
  const files = await WorktreeFiles.at(values.root);
  const text = promptText(values.goal ?? process.env.TEVIS_GOAL ?? '', context);
  // Set by the worker when the run restarts after its worker was lost: the ACP session to load.
  const resume = process.env.TEVIS_ACP_RESUME || null;
  return { root: files.root, command, args, files, text, resume };
}

type Setup = Awaited<ReturnType<typeof loadSetup>>;

/** What a resumed session's prompt starts with: the agent knows its turn was cut, not finished. */
const RESUMED_PROMPT =
  'Your previous turn on this goal was interrupted (the machine running it was lost). Continue where you left off.\n\n';

/**
 * A run restarted after its worker was lost resumes the agent's session where the agent can load
 * one (`session/load`); otherwise, or when the load fails, it starts a new one and the `started`
 * line says `resumed: false`.
 */
async function resumeSession(
  agent: ClientContext,
  setup: Setup,
  canLoad: boolean,
): Promise<{ sessionId: string } | null> {
  if (!setup.resume) return null;
  if (!canLoad) {
    emit({ type: 'resume_failed', message: 'the agent cannot load a session (no loadSession capability)' });
    return null;
  }
  try {
    await agent.request(methods.agent.session.load, {
      sessionId: setup.resume,
      cwd: setup.root,
      mcpServers: [],
    });
    return { sessionId: setup.resume };
  } catch (error) {
    emit({ type: 'resume_failed', message: (error as Error).message.slice(0, 2000) });
    return null;
  }
}

async function runTurn(setup: Setup): Promise<Ending> {
  const agentProcess = spawn(setup.command, setup.args, {
    cwd: setup.root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const spawnFailed = new Promise<Ending>((settle) =>
    agentProcess.on('error', (error) => settle({ reason: 'agent_crashed', message: error.message })),
  );
  const stream = ndJsonStream(
    Writable.toWeb(agentProcess.stdin),
    Readable.toWeb(agentProcess.stdout) as ReadableStream<Uint8Array>,
  );

  let cancelRequested = false;
  let sendCancel: (() => void) | null = null;
  const cancel = (why: string) => {
    if (cancelRequested) return;
    cancelRequested = true;
    emit({ type: 'cancelling', why });
    desk.cancelAll();
    sendCancel?.();
  };
  const desk = new PermissionDesk(emit, cancel);
  process.on('SIGTERM', () => cancel('SIGTERM'));
  const input = createInterface({ input: process.stdin });
  input.on('line', (text) => {
    if (text.trim() === '') return;
    const line = parseControlLine(text);
    let problem: string | null = null;
    if (line.kind === 'answer') problem = desk.answer(line.optionId, line.requestId, line.comment);
    else if (line.kind === 'dismiss') problem = desk.dismiss(line.requestId, line.comment);
    else if (line.kind === 'cancel') cancel('a cancel line on stdin');
    else problem = line.message;
    if (problem) emit({ type: 'input_error', message: problem });
  });
  input.on('close', () => desk.closeInput());

  const turn = runnerClient(setup.files, desk, emit).connectWith(
    stream,
    async (agent): Promise<StopReason> => {
      const init = await agent.request(methods.agent.initialize, {
        protocolVersion: PROTOCOL_VERSION,
        clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: false },
        clientInfo: { name: 'tevis-acp-runner', version: '1' },
      });
      const resumed = await resumeSession(agent, setup, init.agentCapabilities?.loadSession === true);
      const { sessionId } =
        resumed ?? (await agent.request(methods.agent.session.new, { cwd: setup.root, mcpServers: [] }));
      emit({
        type: 'started',
        sessionId,
        agent: setup.command,
        ...(setup.resume ? { resumed: resumed !== null } : {}),
      });
      if (cancelRequested) return 'cancelled';
      sendCancel = () => void agent.notify(methods.agent.session.cancel, { sessionId });
      const response = await agent.request(methods.agent.session.prompt, {
        sessionId,
        prompt: [{ type: 'text', text: resumed ? `${RESUMED_PROMPT}${setup.text}` : setup.text }],
      });
      return response.stopReason;
    },
  );
  const ending = await Promise.race([
    turn.then(
      (reason): Ending => ({ reason }),
      (error): Ending => ({ reason: 'agent_crashed', message: (error as Error).message }),
    ),
    spawnFailed,
  ]);
  input.close();
  agentProcess.stdin.end();
  if (agentProcess.exitCode === null) agentProcess.kill('SIGTERM');
  return ending;
}

async function main(): Promise<void> {
  let ending: Ending;
  try {
    const setup = await loadSetup(process.argv.slice(2));
    ending = await runTurn(setup);
  } catch (error) {
    ending = { reason: 'usage', message: (error as Error).message };
  }
  const exitCode = exitCodeFor(ending.reason);
  emit({
    type: 'end',
    stopReason: ending.reason,
    exitCode,
    ...(ending.message ? { message: ending.message } : {}),
  });
  // stdin may stay open (a docker attach): exit rather than wait for it.
  process.exit(exitCode);
}

await main();
