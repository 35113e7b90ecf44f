import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeStampedUpdate } from '../../api/command-stamp.js';
import { sessionWorkflowId } from '../../contracts/ids.js';
import { acpRunnerBundle } from '../../tpu/acp/runner-bundle.js';
import { expectProblem } from '../support/expect-problem.js';
import { acpLine, acpMessages, acpTypes } from '../support/stored-acp-lines.js';
import { makeGitFixture } from '../support/git-fixtures.js';
import { scriptedAgentBundle } from '../support/scripted-agent-bundle.js';
import { waitFor } from '../support/poll.js';
import { type HoldAnswerRequest, resolveHoldPointUpdate } from '../../workflows/nanocycle-messages.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * An ACP agent in the bubblewrap sandbox, end to end through the API: the scripted agent
 * (test/support/scripted-acp-agent.ts, committed into the project as .agent/agent.mjs) is run by
 * Tevis's runner inside the sandbox; its permission request is an `agent` hold point, the answer
 * reaches it, its typed updates are the output in order, and the merged diff is its work.
 */
// What the scripted agent writes (test/support/scripted-acp-agent.ts; importing it would start it).
const NOTES_TEXT = 'written by the scripted agent\n';
const APPROVED_TEXT = 'the person allowed it\n';

let h: Harness;
let remote = '';

beforeAll(async () => {
  h = await startHarness({ database: 'postgres', label: 'acp-sandbox' });
  const agent = await scriptedAgentBundle();
  remote = (
    await makeGitFixture(join(h.home, 'fixture'), {
      files: { '.agent/agent.mjs': agent, '.tevis/plan.md': '# Plan\n\nKeep notes short.\n' },
    })
  ).remote;
});
afterAll(async () => {
  await h?.stop();
});

let projects = 0;
async function acpSession(
  agent = 'node .agent/agent.mjs',
  execution: Record<string, unknown> = {},
): Promise<string> {
  const name = `acp-${++projects}`;
  await createProject(h, {
    name,
    repository: remote,
    execution: { agent, agentProtocol: 'acp', ...execution },
  });
  const { session } = await createActiveSession(h, { project: name });
  return session.id;
}

describe('an ACP agent in the sandbox', () => {
  it('streams typed updates, asks through an agent hold point, gets the approval, and its work is merged', async () => {
    const id = await acpSession();
    const created = await h.call('POST', `/sessions/${id}/nanocycles`, {
      name: 'notes',
      goal: 'Write the notes',
    });
    expect(created.status).toBe(201);

    const hold = await h.api.waitForPendingHold(id, 'agent');
    expect(hold.id).toBe('HP-001-agent-1');
    expect(hold.agentRequest).toMatchObject({
      toolCall: { toolCallId: 'edit-approved', title: 'Write APPROVED.md', kind: 'edit' },
      options: [
        { optionId: 'allow', name: 'Allow this change', kind: 'allow_once' },
        { optionId: 'reject', name: 'Skip this change', kind: 'reject_once' },
      ],
    });
    expect(hold.reason).toContain('Write APPROVED.md');
    // While the hold point waits, the agent has done its first edit and nothing after it.
    const before = await h.api.logLines(id, 'NC-001');
    expect(acpTypes(before)).toEqual([
      'started',
      'update:plan',
      'update:thought',
      'update:message',
      'update:tool_call',
      'update:tool_call_update',
      'update:tool_call_update',
      'update:tool_call',
      'permission',
    ]);
    // The goal and the session's planning document reached the agent in its prompt.
    const thought = acpLine(before, 'update') as { update: { content: { text: string } } } | undefined;
    expect(JSON.stringify(before)).toContain('Write the notes');
    expect(JSON.stringify(before)).toContain('Keep notes short.');
    expect(thought).toBeDefined();

    const approved = await h.call('POST', `/sessions/${id}/holds/${hold.id}/approve`, { comment: 'fine' });
    expect(approved.status).toBe(200);
    await h.api.waitForPendingHold(id, 'merge');
    const after = await h.api.logLines(id, 'NC-001');
    expect(acpTypes(after).slice(9)).toEqual([
      'permission_answered',
      'update:tool_call_update',
      'update:message',
      'update:message',
      'end',
    ]);
    expect(acpLine(after, 'permission_answered')).toMatchObject({ outcome: 'allow' });
    expect(acpMessages(after)).toContain('Allowed: APPROVED.md written. The person said: fine');
    expect(acpLine(after, 'end')).toMatchObject({ stopReason: 'end_turn', exitCode: 0 });
    // Every line once, numbered without a gap.
    expect(after.map((l) => l.seq)).toEqual(after.map((_, i) => i + 1));

    const diff = await h.call('GET', `/sessions/${id}/nanocycles/NC-001/diff`);
    expect(diff.json.files.map((f: { path: string }) => f.path).sort()).toEqual(['APPROVED.md', 'NOTES.md']);
    await h.call('POST', `/sessions/${id}/holds/HP-001-merge/approve`, {});
    await h.api.waitForNanocycle(id, 'NC-001', ['merged']);
    const workspace = (await h.call('GET', `/sessions/${id}`)).json.session.workspacePath as string;
    expect(readFileSync(join(workspace, 'NOTES.md'), 'utf8')).toBe(NOTES_TEXT);
    expect(readFileSync(join(workspace, 'APPROVED.md'), 'utf8')).toBe(APPROVED_TEXT);
  });

  it('a rejection reaches the agent as its reject option with its comment: the asked-for file is not written', async () => {
    const id = await acpSession();
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'notes', goal: 'Write the notes' });
    const hold = await h.api.waitForPendingHold(id, 'agent');
    const rejected = await h.call('POST', `/sessions/${id}/holds/${hold.id}/reject`, { comment: 'not that' });
    expect(rejected.status).toBe(200);
    await h.api.waitForPendingHold(id, 'merge');
    const lines = await h.api.logLines(id, 'NC-001');
    expect(acpLine(lines, 'permission_answered')).toMatchObject({ outcome: 'reject' });
    // The scripted agent says back the comment its answer carried (test/support/scripted-acp-agent.ts).
    expect(acpMessages(lines)).toContain('Rejected: APPROVED.md left alone. The person said: not that');
    const diff = await h.call('GET', `/sessions/${id}/nanocycles/NC-001/diff`);
    expect(diff.json.files.map((f: { path: string }) => f.path)).toEqual(['NOTES.md']);
  });

  it("an answer may name another of the agent's options of its side; a wrong one is refused and changes nothing", async () => {
    const id = await acpSession('SCRIPTED_AGENT_OPTIONS=all node .agent/agent.mjs');
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'always', goal: 'Write the notes' });
    const hold = await h.api.waitForPendingHold(id, 'agent');
    const holdUrl = `/sessions/${id}/holds/${hold.id}`;
    // A reject option to approve with, and an option the agent never offered: refused, naming the ones that would do.
    const wrongSide = await h.call('POST', `${holdUrl}/approve`, { option: 'never' });
    expectProblem(wrongSide, 400, 'validation', 'a reject option to approve with');
    expect(wrongSide.json).toMatchObject({ options: ['allow', 'always'] });
    expect(wrongSide.json.detail).toContain(
      'option "never" is a reject_always option, not one to approve with',
    );
    const unknown = await h.call('POST', `${holdUrl}/reject`, { option: 'maybe' });
    expectProblem(unknown, 400, 'validation', 'an option the agent did not offer');
    expect(unknown.json).toMatchObject({ options: ['reject', 'never'] });
    // The session refuses a wrong option itself, as it must when the answer comes before the
    // record shows the options (which the API checks): sent straight to it, bypassing the API.
    const answer: [HoldAnswerRequest] = [{ holdPointId: hold.id, decision: 'approve', option: 'never' }];
    const direct = await executeStampedUpdate(
      h.temporalClient.workflow.getHandle(sessionWorkflowId(id)),
      id,
      resolveHoldPointUpdate,
      answer,
    ).then(
      () => null,
      (error: unknown) => (error as { cause?: unknown }).cause,
    );
    expect(direct).toMatchObject({
      type: 'validation',
      message: expect.stringContaining('option "never" is a reject_always option, not one to approve with'),
    });
    // Nothing was answered: the hold point waits, and the agent was told nothing.
    expect(await h.api.holdPoints(id)).toMatchObject([{ id: hold.id, status: 'pending' }]);
    expect(acpLine(await h.api.logLines(id, 'NC-001'), 'permission_answered')).toBeUndefined();

    const approved = await h.call('POST', `${holdUrl}/approve`, { option: 'always' });
    expect(approved.status).toBe(200);
    await h.api.waitForPendingHold(id, 'merge');
    const lines = await h.api.logLines(id, 'NC-001');
    expect(acpLine(lines, 'permission_answered')).toMatchObject({ outcome: 'always' });
    expect(acpMessages(lines)).toContain('Allowed (always): APPROVED.md written.');
    // An option belongs to an agent's question: the merge hold point refuses one.
    const atMerge = await h.call('POST', `/sessions/${id}/holds/HP-001-merge/approve`, { option: 'always' });
    expectProblem(atMerge, 400, 'validation', 'an option at a merge hold point');
    expect(atMerge.json.detail).toContain('HP-001-merge is a merge hold point');
    expect((await h.api.holdPoints(id)).find((p) => p.id === 'HP-001-merge')).toMatchObject({
      status: 'pending',
    });
  });

  it("a person's time at the agent's hold point does not count toward its TPU timeout; its own work does", async () => {
    // Room for the agent's own work before it asks, on a busy machine.
    const timeoutSeconds = 10;
    const id = await acpSession('node .agent/agent.mjs', { tpuTimeoutSeconds: timeoutSeconds });
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'slow-answer', goal: 'Write the notes' });
    const hold = await h.api.waitForPendingHold(id, 'agent');
    // The hold point waits longer than the whole timeout before the person answers.
    await sleep(Math.max(0, Date.parse(hold.openedAt) + (timeoutSeconds + 2) * 1000 - Date.now()));
    expect((await h.api.nanocycles(id)).find((n) => n.id === 'NC-001')?.status).toBe('awaiting_approval');
    expect((await h.call('POST', `/sessions/${id}/holds/${hold.id}/approve`, {})).status).toBe(200);
    await h.api.waitForPendingHold(id, 'merge');
    expect(acpLine(await h.api.logLines(id, 'NC-001'), 'end')).toMatchObject({ stopReason: 'end_turn' });

    // An agent that works (here: waits on its own) past its time is stopped as before.
    const busy = await acpSession('SCRIPTED_AGENT_MODE=wait node .agent/agent.mjs', { tpuTimeoutSeconds: 2 });
    await h.call('POST', `/sessions/${busy}/nanocycles`, { name: 'busy', goal: 'Wait' });
    const failed = await h.api.waitForNanocycle(busy, 'NC-001', ['failed']);
    expect(failed.data.detail).toContain('timed out after 2 s');
  });

  it('a cancel while the agent waits on its hold point cancels its turn through the protocol', async () => {
    const id = await acpSession();
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'notes', goal: 'Write the notes' });
    await h.api.waitForPendingHold(id, 'agent');
    const cancelled = await h.call('POST', `/sessions/${id}/nanocycles/NC-001/cancel`);
    expect(cancelled.status).toBe(200);
    await h.api.waitForNanocycle(id, 'NC-001', ['cancelled']);
    const lines = await h.api.logLines(id, 'NC-001');
    expect(acpLine(lines, 'cancelling')).toBeDefined();
    expect(acpLine(lines, 'end')).toMatchObject({ stopReason: 'cancelled', exitCode: 20 });
    const workspace = (await h.call('GET', `/sessions/${id}`)).json.session.workspacePath as string;
    expect(existsSync(join(workspace, 'NOTES.md'))).toBe(false);
  });

  it('a cancel mid-turn cancels the agent working on its own', async () => {
    const id = await acpSession('SCRIPTED_AGENT_MODE=wait node .agent/agent.mjs');
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'waits', goal: 'Wait' });
    await h.api.waitForNanocycle(id, 'NC-001', ['running']);
    // The agent has said its first line: the turn is under way.
    await waitFor('the agent to say its first line', async () =>
      acpTypes(await h.api.logLines(id, 'NC-001')).includes('update:message') ? true : undefined,
    );
    await h.call('POST', `/sessions/${id}/nanocycles/NC-001/cancel`);
    await h.api.waitForNanocycle(id, 'NC-001', ['cancelled']);
    const lines = await h.api.logLines(id, 'NC-001');
    expect(acpLine(lines, 'end')).toMatchObject({ stopReason: 'cancelled', exitCode: 20 });
  });

  it('an agent that writes at the runner it runs under changes nothing of it', async () => {
    const hostile = [
      "printf pwned > /opt/tevis/acp-runner.mjs 2>/dev/null || echo 'the runner is read-only' >&2",
      'exec node .agent/agent.mjs',
    ].join('; ');
    const id = await acpSession(hostile);
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'hostile', goal: 'Write the notes' });
    const hold = await h.api.waitForPendingHold(id, 'agent');
    await h.call('POST', `/sessions/${id}/holds/${hold.id}/approve`, {});
    await h.api.waitForPendingHold(id, 'merge');
    const lines = await h.api.logLines(id, 'NC-001');
    expect(lines.some((l) => l.stream === 'stderr' && l.line === 'the runner is read-only')).toBe(true);
    expect(acpLine(lines, 'end')).toMatchObject({ stopReason: 'end_turn' });
    // The runner on the worker's host is the one that was built: its name is its content's hash.
    // The worker keeps it in its home (the harness's), built once per process.
    const runner = await acpRunnerBundle(join(h.home, 'acp-runner'));
    const hash = createHash('sha256').update(readFileSync(runner)).digest('hex');
    expect(runner).toContain(`acp-runner-${hash.slice(0, 16)}.mjs`);
  });

  it('its hold point is told to the webhook with the request, and its deadline answers the agent', async () => {
    const received: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.env.TEVIS_WEBHOOK_SECRET = 'acp-webhook-secret';
    try {
      const { port } = server.address() as AddressInfo;
      const id = await acpSession('node .agent/agent.mjs', {
        webhookUrl: `http://127.0.0.1:${port}/hooks`,
        holdDeadlineSeconds: 2,
        holdDeadlineAction: 'reject',
        holdMerge: false,
      });
      await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'unanswered', goal: 'Write the notes' });
      await h.api.waitForNanocycle(id, 'NC-001', ['merged']);
      await waitFor('both webhooks', () => (received.length >= 2 ? true : undefined));
      const [opened, resolved] = received.map((body) => JSON.parse(body) as Record<string, unknown>);
      expect(opened).toMatchObject({
        event: 'holdpoint.opened',
        id: 'HP-001-agent-1',
        kind: 'agent',
        agentRequest: {
          toolCall: { title: 'Write APPROVED.md' },
          options: [{ optionId: 'allow' }, { optionId: 'reject' }],
        },
      });
      expect(resolved).toMatchObject({
        event: 'holdpoint.resolved',
        id: 'HP-001-agent-1',
        status: 'rejected',
      });
      const holds = await h.api.holdPoints(id);
      expect(holds).toMatchObject([{ id: 'HP-001-agent-1', status: 'rejected', resolvedBy: 'deadline' }]);
      const lines = await h.api.logLines(id, 'NC-001');
      expect(acpLine(lines, 'permission_answered')).toMatchObject({ outcome: 'reject' });
      const diff = await h.call('GET', `/sessions/${id}/nanocycles/NC-001/diff`);
      expect(diff.json.files.map((f: { path: string }) => f.path)).toEqual(['NOTES.md']);
    } finally {
      delete process.env.TEVIS_WEBHOOK_SECRET;
      server.close();
    }
  });

  it('an agent that does not end its turn when cancelled is stopped with its TPU', async () => {
    const id = await acpSession('SCRIPTED_AGENT_MODE=deaf node .agent/agent.mjs');
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'deaf', goal: 'Ignore the cancel' });
    await waitFor('the agent to say its first line', async () =>
      acpTypes(await h.api.logLines(id, 'NC-001')).includes('update:message') ? true : undefined,
    );
    await h.call('POST', `/sessions/${id}/nanocycles/NC-001/cancel`);
    await h.api.waitForNanocycle(id, 'NC-001', ['cancelled']);
    const lines = await h.api.logLines(id, 'NC-001');
    // The runner asked; the agent never answered, so no turn ended: the TPU was stopped instead.
    expect(acpLine(lines, 'cancelling')).toBeDefined();
    expect(acpLine(lines, 'end')).toBeUndefined();
  });

  it('an agent that crashes mid-turn fails the nanocycle, saying how its turn ended', async () => {
    const id = await acpSession('SCRIPTED_AGENT_MODE=crash node .agent/agent.mjs');
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'crash', goal: 'Crash' });
    const failed = await h.api.waitForNanocycle(id, 'NC-001', ['failed']);
    expect(failed.data.detail).toMatch(
      /^the agent could not start, exited or broke the protocol \(exit code 23\)\n/,
    );
    expect(acpLine(await h.api.logLines(id, 'NC-001'), 'end')).toMatchObject({
      stopReason: 'agent_crashed',
      exitCode: 23,
    });
  });
});
