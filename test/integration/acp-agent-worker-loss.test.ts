import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine } from '../../contracts/nanocycle-records.js';
import type { ApiClient } from '../support/api-client.js';
import { ensureBubblewrap } from '../support/bubblewrap.js';
import { acpTypes } from '../support/stored-acp-lines.js';
import { makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { type ManagedProcess, ProcessSet } from '../support/processes.js';
import { scriptedAgentBundle } from '../support/scripted-agent-bundle.js';
import { type SplitStack, startSplitStack } from '../support/split-stack.js';

/**
 * A worker killed with SIGKILL while an ACP agent waits on its hold point (issue 14, point 5).
 * The scripted agent (test/support/scripted-acp-agent.ts) does not support `session/load`, so in
 * the sandbox, which dies with its worker, the turn restarts on the next worker: the output and
 * the timeline say so, the agent asks again, and the second answer reaches it.
 */

describe('an ACP agent whose sandbox worker is killed mid-turn', () => {
  const processes = new ProcessSet();
  let root: string;
  let stack: SplitStack | undefined;
  let http: ApiClient;
  let workerEnv: NodeJS.ProcessEnv;
  let worker: ManagedProcess;
  let workers = 0;
  const startWorker = () => (worker = processes.spawnTevis(`worker-${++workers}`, 'worker', workerEnv));

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tevis-acp-loss-'));
    const repo = await makeGitFixture(join(root, 'repo'), {
      files: { '.agent/agent.mjs': await scriptedAgentBundle(), '.gitignore': '.agent-state/\n' },
    });
    const bwrap = await ensureBubblewrap();
    stack = await startSplitStack(root, 'acp-loss');
    http = stack.http;
    // The same home again after the kill: the same worker host, which holds the workspace.
    workerEnv = stack.workerEnv(join(root, 'worker-home'), {
      TEVIS_TPU_EXECUTOR: 'sandbox',
      PATH: `${dirname(bwrap)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    });
    for (const [name, agent] of [
      ['acp-loss', 'node .agent/agent.mjs'],
      // Keeps its sessions in the worktree (ignored by git), so a restarted run can load one.
      ['acp-resume', 'SCRIPTED_AGENT_STATE=.agent-state node .agent/agent.mjs'],
    ])
      await http.ok(
        'POST',
        '/projects',
        {
          name,
          repository: repo.fileUrl,
          defaultBranch: 'main',
          execution: { agent, agentProtocol: 'acp', holdMerge: false },
        },
        201,
      );
    startWorker();
  }, 300_000);

  afterAll(async () => {
    await processes.killAll();
    await stack?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** A session of `project` whose agent is killed with its worker while it waits on its question. */
  async function killedAtTheQuestion(project: string): Promise<{ sessionId: string; lines: LogLine[] }> {
    const sessionId = (await http.ok('POST', '/sessions', { project }, 201)).id as string;
    await http.waitForStatus(sessionId, 'active', { alive: [worker] });
    await http.ok(
      'POST',
      `/sessions/${sessionId}/nanocycles`,
      { name: 'notes', goal: 'Write the notes' },
      201,
    );
    const first = await http.waitForPendingHold(sessionId, 'agent', { alive: [worker] });
    expect(first.id).toBe('HP-001-agent-1');

    expect((await worker.kill()).signal).toBe('SIGKILL');
    startWorker();
    // The next attempt runs the turn again; its agent asks again.
    await waitFor(
      'the restarted agent to ask again',
      async () =>
        acpTypes(await http.logLines(sessionId, 'NC-001')).filter((t) => t === 'permission').length === 2,
      { alive: [worker], timeoutMs: 120_000 },
    );
    // The first answer is for a runner that is gone: it is not delivered, and the new request
    // opens its own hold point.
    await http.ok('POST', `/sessions/${sessionId}/holds/HP-001-agent-1/approve`, {}, 200);
    const second = await http.waitForPendingHold(sessionId, 'agent', { alive: [worker] });
    expect(second.id).toBe('HP-001-agent-2');
    await http.ok('POST', `/sessions/${sessionId}/holds/HP-001-agent-2/approve`, {}, 200);
    await waitFor(
      'NC-001 to be merged',
      async () => (await http.nanocycles(sessionId)).find((n) => n.id === 'NC-001')?.status === 'merged',
      { alive: [worker], timeoutMs: 120_000 },
    );
    return { sessionId, lines: await http.logLines(sessionId, 'NC-001') };
  }

  it('restarts the turn, says so in the output and on the timeline, and the agent asks again', async () => {
    const { sessionId, lines } = await killedAtTheQuestion('acp-loss');
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    const restart = lines.find((l) => l.stream === 'tevis');
    expect(restart?.line).toBe(
      'run restarted: attempt 2, because the worker running it was lost; the lines below are printed again from the start',
    );
    // Attempt 1 up to its question, then attempt 2's whole turn.
    const turn = acpTypes(lines.filter((l) => l.attempt === 2));
    expect(turn.slice(0, 2)).toEqual(['resume_failed', 'started']);
    expect(turn.slice(-2)).toEqual(['update:message', 'end']);
    expect(turn).toContain('permission_answered');
    expect(acpTypes(lines.filter((l) => l.attempt === 1)).at(-1)).toBe('permission');
    const restarts = (await http.events(sessionId)).filter((e) => e.type === 'nanocycle.run_restarted');
    expect(restarts.map((e) => e.data)).toEqual([
      expect.objectContaining({ nanocycleId: 'NC-001', attempt: 2, reason: 'worker-lost' }),
    ]);
    // This agent cannot load a session: the restarted runner says so and opens a new one.
    const restarted = lines
      .filter((l) => l.attempt === 2 && l.stream === 'acp')
      .map((l) => JSON.parse(l.line) as Record<string, unknown>);
    expect(restarted[0]).toMatchObject({ type: 'resume_failed' });
    expect(restarted[1]).toMatchObject({ type: 'started', resumed: false });
  }, 360_000);

  it('resumes the agent’s own session with session/load where the agent supports it', async () => {
    const { sessionId, lines } = await killedAtTheQuestion('acp-resume');
    const [before, after] = [1, 2].map((attempt) =>
      lines
        .filter((l) => l.attempt === attempt && l.stream === 'acp')
        .map((l) => JSON.parse(l.line) as Record<string, unknown>),
    );
    const opened = before!.find((l) => l.type === 'started');
    expect(after![0]).toMatchObject({ type: 'started', sessionId: opened?.sessionId, resumed: true });
    // The loaded session knew NOTES.md was written; the prompt said the turn had been cut.
    const said = after!
      .filter((l) => l.type === 'update')
      .map((l) => JSON.stringify(l.update))
      .join('\n');
    expect(said).toContain('Your previous turn on this goal was interrupted');
    expect(said).toContain('NOTES.md is written already.');
    expect(said).not.toContain('I will write NOTES.md.');
    const diff = await http.ok('GET', `/sessions/${sessionId}/nanocycles/NC-001/diff`);
    expect(diff.files.map((f: { path: string }) => f.path).sort()).toEqual(['APPROVED.md', 'NOTES.md']);
  }, 360_000);
});
