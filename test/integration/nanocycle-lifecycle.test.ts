import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SessionType } from '../../contracts/session-types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../support/cli-run.js';
import { expectProblem } from '../support/expect-problem.js';
import { git, makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { cleanEnv, ProcessSet } from '../support/processes.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * Nanocycles end to end through the API, on the bubblewrap sandbox executor (the harness's
 * explicit choice): run, stream, commit, hold points, merge queue, cancel.
 * The same flow on the Docker engine is in tpu-executor.test.ts and nanocycle-docker.test.ts.
 */
let h: Harness;
let remote = '';

beforeAll(async () => {
  h = await startHarness({ database: 'postgres', label: 'nanocycles' });
  remote = (await makeGitFixture(join(h.home, 'fixture'), { branches: ['feat/review'] })).remote;
});
const processes = new ProcessSet();
afterAll(async () => {
  await processes.killAll();
  await h?.stop();
});

let projects = 0;
async function activeSession(
  execution: Record<string, unknown> = {},
  type: SessionType = 'development',
): Promise<string> {
  const name = `nc-${++projects}`;
  await createProject(h, { name, repository: remote, execution });
  const { session } = await createActiveSession(h, {
    project: name,
    type,
    ...(type === 'review' ? { branch: 'feat/review' } : {}),
  });
  return session.id;
}

const nanocycleStatus = (sessionId: string, nc: string, wanted: string[]) =>
  h.api.waitForNanocycle(sessionId, nc, wanted);
const pendingHold = (sessionId: string, kind: string) => h.api.waitForPendingHold(sessionId, kind);

describe('nanocycles on the sandbox executor', () => {
  it('runs, streams its output, commits, waits at merge, is approved and merged', async () => {
    const id = await activeSession();
    const created = await h.call('POST', `/sessions/${id}/nanocycles`, {
      name: 'greeting',
      run: ['echo hello from $TEVIS_NANOCYCLE_ID', 'echo to-stderr >&2', 'printf "hi\\n" > GREETING.md'],
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: 'NC-001', status: 'queued', branch: 'feat/nc-001-greeting' });

    const hold = await pendingHold(id, 'merge');
    expect(hold).toMatchObject({ id: 'HP-001-merge', nanocycleId: 'NC-001' });
    const row = await nanocycleStatus(id, 'NC-001', ['awaiting_approval']);
    expect(row.executor).toBe('sandbox');

    // Each step is echoed first, so the record shows which step printed what. stdout and stderr
    // are separate pipes: order holds within each stream, not across them.
    const lines = await h.api.logLines(id, 'NC-001');
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual([
      '$ echo hello from $TEVIS_NANOCYCLE_ID',
      'hello from NC-001',
      '$ echo to-stderr >&2',
      '$ printf "hi\\n" > GREETING.md',
    ]);
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['to-stderr']);
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);

    const diff = await h.call('GET', `/sessions/${id}/nanocycles/NC-001/diff`);
    expect(diff.json.files).toEqual([{ path: 'GREETING.md', additions: 1, deletions: 0 }]);

    const session = (await h.call('GET', `/sessions/${id}`)).json;
    expect(existsSync(join(session.session.workspacePath, 'GREETING.md'))).toBe(false);
    const approved = await h.call('POST', `/sessions/${id}/holds/HP-001-merge/approve`, {
      comment: 'looks good',
    });
    expect(approved.status).toBe(200);
    const again = await h.call('POST', `/sessions/${id}/holds/HP-001-merge/approve`, {});
    expect(again.status).toBe(409);
    expect(again.json.type).toBe('urn:tevis:problem:invalid-transition');

    await nanocycleStatus(id, 'NC-001', ['merged']);
    expect(readFileSync(join(session.session.workspacePath, 'GREETING.md'), 'utf8')).toBe('hi\n');
    const events = (await h.api.events(id)).map((e) => e.type);
    for (const type of [
      'nanocycle.queued',
      'nanocycle.started',
      'nanocycle.completed',
      'holdpoint.opened',
      'holdpoint.resolved',
      'nanocycle.merged',
    ])
      expect(events).toContain(type);

    await h.call('POST', `/sessions/${id}/end`);
    const summary = await h.api.typed.summary(id);
    expect(summary.nanocycles).toMatchObject({ total: 1, completed: 1, byStatus: { merged: 1 } });
    expect(summary.filesChanged.map((f) => f.path)).toContain('GREETING.md');
    expect(summary.nanocycles.items).toEqual([
      {
        id: 'NC-001',
        name: 'greeting',
        status: 'merged',
        commit: expect.stringMatching(/^[0-9a-f]{40}$/),
        filesChanged: 1,
        tpuSeconds: expect.any(Number),
      },
    ]);
    expect(summary.metrics).toMatchObject({
      holdPoints: 1,
      tpuSeconds: expect.any(Number),
      holdWaitSeconds: expect.any(Number),
    });
    expect(summary.markdown).toContain('NC-001: merged (greeting)');
  });

  it('nanocycle merge records who and why on the hold point; a merged nanocycle still shows its diff', async () => {
    const id = await activeSession();
    await h.call('POST', `/sessions/${id}/nanocycles`, {
      name: 'notes',
      run: ['printf "a\\nb\\n" > NOTES.md'],
    });
    await pendingHold(id, 'merge');
    const badBody = await h.call('POST', `/sessions/${id}/nanocycles/NC-001/merge`, {
      by: 'ada',
      surprise: true,
    });
    expect(badBody.status).toBe(400);
    expect(badBody.json.type).toBe('urn:tevis:problem:validation');
    const merged = await h.call('POST', `/sessions/${id}/nanocycles/NC-001/merge`, {
      by: 'ada',
      comment: 'ship it',
    });
    expect(merged.status).toBe(200);
    await nanocycleStatus(id, 'NC-001', ['merged']);
    const hold = (await h.api.holdPoints(id)).find((hp) => hp.id === 'HP-001-merge');
    expect(hold).toMatchObject({ status: 'approved', resolvedBy: 'ada', comment: 'ship it' });
    const diff = await h.call('GET', `/sessions/${id}/nanocycles/NC-001/diff`);
    expect(diff.json.files).toEqual([{ path: 'NOTES.md', additions: 2, deletions: 0 }]);
    expect(diff.json.patch).toContain('+b');
    // Without a body it still merges (curl -X POST …/merge).
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'more', run: ['echo c > MORE.md'] });
    await pendingHold(id, 'merge');
    const plain = await fetch(`${h.apiUrl}/sessions/${id}/nanocycles/NC-002/merge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token}` },
    });
    expect(plain.status).toBe(200);
    await nanocycleStatus(id, 'NC-002', ['merged']);
    await h.call('POST', `/sessions/${id}/end`);
  });

  it('a rejected merge leaves the session branch alone; a failing run keeps the tail of its output', async () => {
    const id = await activeSession();
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'nope', run: ['echo change > CHANGE.md'] });
    await pendingHold(id, 'merge');
    expect(
      (await h.call('POST', `/sessions/${id}/holds/HP-001-merge/reject`, { comment: 'not this' })).status,
    ).toBe(200);
    const rejected = await nanocycleStatus(id, 'NC-001', ['rejected']);
    expect(rejected.status).toBe('rejected');
    const session = (await h.call('GET', `/sessions/${id}`)).json;
    expect(existsSync(join(session.session.workspacePath, 'CHANGE.md'))).toBe(false);

    await h.call('POST', `/sessions/${id}/nanocycles`, {
      name: 'broken',
      run: ['echo about to fail', 'exit 3', 'echo never'],
    });
    const failed = await nanocycleStatus(id, 'NC-002', ['failed']);
    expect(failed.data.detail).toContain('exit code 3');
    expect(failed.data.detail).toContain('about to fail');
    await h.call('POST', `/sessions/${id}/end`);
  });

  it('plan approval with an edited goal; an agent asks a person and its second run sees the answer', async () => {
    const agent = [
      'if [ -z "$TEVIS_HOLD_ANSWER" ]; then mkdir -p .tevis && echo "{\\"reason\\": \\"which colour?\\"}" > .tevis/hold.json; exit 75; fi',
      'echo "goal=$TEVIS_GOAL answer=$TEVIS_HOLD_ANSWER" > RESULT.md',
    ].join('\n');
    const id = await activeSession({ agent, holdPlan: true, holdMerge: false });
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'paint', goal: 'paint it' });
    const plan = await pendingHold(id, 'plan');
    expect(plan.reason).toContain('paint it');
    await h.call('POST', `/sessions/${id}/holds/${plan.id}/approve`, { goal: 'paint it blue' });
    const question = await pendingHold(id, 'agent');
    expect(question.reason).toBe('which colour?');
    // A plain command's question has no options to choose from: naming one is refused.
    const withOption = await h.call('POST', `/sessions/${id}/holds/${question.id}/approve`, {
      option: 'allow',
    });
    expectProblem(withOption, 400, 'validation', "an option at a plain command's question");
    expect(withOption.json.detail).toContain("is a plain command's question and has no options to choose");
    await h.call('POST', `/sessions/${id}/holds/${question.id}/approve`, { comment: 'blue' });
    // No merge hold point for this project: it merges by itself.
    await nanocycleStatus(id, 'NC-001', ['merged']);
    const session = (await h.call('GET', `/sessions/${id}`)).json;
    expect(readFileSync(join(session.session.workspacePath, 'RESULT.md'), 'utf8')).toBe(
      'goal=paint it blue answer=blue\n',
    );
    expect(existsSync(join(session.session.workspacePath, '.tevis', 'hold.json'))).toBe(false);
    await h.call('POST', `/sessions/${id}/end`);
  });

  it('keeps the TPU limit: the rest wait in order, and a queued one can be cancelled', async () => {
    const id = await activeSession({ tpuLimit: 1, holdMerge: false });
    await h.call('POST', `/sessions/${id}/nanocycles`, {
      name: 'slow',
      run: ['sleep 1', 'echo slow > SLOW.md'],
    });
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'second', run: ['echo second > SECOND.md'] });
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'third', run: ['echo third > THIRD.md'] });
    expect((await h.call('POST', `/sessions/${id}/nanocycles/NC-003/cancel`)).status).toBe(200);
    await nanocycleStatus(id, 'NC-003', ['cancelled']);
    await nanocycleStatus(id, 'NC-001', ['merged']);
    await nanocycleStatus(id, 'NC-002', ['merged']);
    const events = await h.api.events(id);
    const at = (type: string, nc: string) =>
      events.findIndex((e) => e.type === type && e.data.nanocycleId === nc);
    // One TPU: the second starts only after the first is done; the cancelled one never starts.
    expect(at('nanocycle.started', 'NC-002')).toBeGreaterThan(at('nanocycle.completed', 'NC-001'));
    expect(at('nanocycle.started', 'NC-003')).toBe(-1);
    expect((await h.call('POST', `/sessions/${id}/nanocycles/NC-003/cancel`)).status).toBe(409);
    await h.call('POST', `/sessions/${id}/end`);
  });

  it('runs two at once; merges one at a time; a conflicting merge ends in conflict with the branch intact', async () => {
    const id = await activeSession({ tpuLimit: 2, holdMerge: false });
    await h.call('POST', `/sessions/${id}/nanocycles`, {
      name: 'left',
      run: ['sleep 1', 'echo left > README.md'],
    });
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'right', run: ['echo right > README.md'] });
    await nanocycleStatus(id, 'NC-002', ['merged']);
    const conflicted = await nanocycleStatus(id, 'NC-001', ['conflict']);
    expect(conflicted.branch).toBe('feat/nc-001-left');
    const hold = await pendingHold(id, 'conflict');
    expect(hold).toMatchObject({ id: 'HP-001-conflict-1', nanocycleId: 'NC-001' });
    expect(hold.reason).toContain('README.md');
    const events = await h.api.events(id);
    const at = (type: string, nc: string) =>
      events.findIndex((e) => e.type === type && e.data.nanocycleId === nc);
    // Both ran at once: each started before the other completed.
    expect(at('nanocycle.started', 'NC-001')).toBeLessThan(at('nanocycle.completed', 'NC-002'));
    expect(at('nanocycle.started', 'NC-002')).toBeLessThan(at('nanocycle.completed', 'NC-001'));
    // The branch keeps its work; the session branch keeps the merged one.
    const diff = (await h.call('GET', `/sessions/${id}/nanocycles/NC-001/diff`)).json;
    expect(diff.patch).toContain('+left');
    const session = (await h.call('GET', `/sessions/${id}`)).json;
    expect(readFileSync(join(session.session.workspacePath, 'README.md'), 'utf8')).toBe('right\n');
    expect(session.state.workspace.gitStatus).toBe('clean');
    await h.call('POST', `/sessions/${id}/end`);
  });

  it('pushes the session branch to the remote on merge or on end, as the project says', async () => {
    for (const push of ['on-merge', 'on-end'] as const) {
      const own = await makeGitFixture(join(h.home, `push-${push}`));
      const name = `push-${push}`;
      await createProject(h, { name, repository: own.remote, execution: { push, holdMerge: false } });
      const { session } = await createActiveSession(h, { project: name });
      await h.call('POST', `/sessions/${session.id}/nanocycles`, {
        name: 'pushed',
        run: [`echo ${push} > PUSHED.md`],
      });
      await nanocycleStatus(session.id, 'NC-001', ['merged']);
      // The merged nanocycle's own branch goes too, under either policy, as soon as it is merged.
      await waitFor(
        'the nanocycle branch on the remote',
        async () =>
          (await git(['show', 'feat/nc-001-pushed:PUSHED.md'], own.remote).catch(() => null)) === `${push}\n`,
      );
      const onRemote = () => git(['show', 'main:PUSHED.md'], own.remote).catch(() => null);
      if (push === 'on-end') {
        expect(await onRemote()).toBeNull();
        await h.call('POST', `/sessions/${session.id}/end`);
      }
      await waitFor(`the ${push} push`, async () => (await onRemote()) === `${push}\n`);
      // The event is written after the push returns: wait for it, then make sure it is the only one.
      const pushed = async () =>
        (await h.api.events(session.id)).filter(
          (e) => e.type === 'branch.pushed' && e.data.branch === 'main',
        );
      await waitFor('the branch.pushed event', async () => (await pushed()).length > 0);
      expect(await pushed()).toHaveLength(1);
      if (push === 'on-merge') await h.call('POST', `/sessions/${session.id}/end`);
    }
  });

  it('tells the project webhook of hold points opened and resolved, signed with HMAC-SHA256', async () => {
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const secret = 'test-webhook-secret';
    process.env.TEVIS_WEBHOOK_SECRET = secret;
    try {
      const id = await activeSession({ webhookUrl: `http://127.0.0.1:${port}/hooks` });
      await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'hooked', run: ['echo x > HOOK.md'] });
      await pendingHold(id, 'merge');
      await waitFor('the opened webhook', () => received.length >= 1);
      await h.call('POST', `/sessions/${id}/holds/HP-001-merge/reject`, { comment: 'no' });
      await waitFor('the resolved webhook', () => received.length >= 2);
      const [opened, resolved] = received.map((r) => ({ ...r, json: JSON.parse(r.body) }));
      expect(opened!.json).toMatchObject({
        event: 'holdpoint.opened',
        sessionId: id,
        id: 'HP-001-merge',
        kind: 'merge',
        nanocycleId: 'NC-001',
      });
      expect(resolved!.json).toMatchObject({
        event: 'holdpoint.resolved',
        id: 'HP-001-merge',
        status: 'rejected',
        comment: 'no',
      });
      for (const r of [opened!, resolved!]) {
        const expected = `sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`;
        expect(r.headers['x-tevis-signature-256']).toBe(expected);
      }
      // The secret is the worker's alone: not in the record, not on the timeline.
      const events = JSON.stringify((await h.call('GET', `/sessions/${id}/events`)).json);
      expect(events).not.toContain(secret);
      await h.call('POST', `/sessions/${id}/end`);
    } finally {
      delete process.env.TEVIS_WEBHOOK_SECRET;
      server.close();
    }
  });

  it('a hold point nobody answers by its deadline is rejected, or pauses the session', async () => {
    const rejecting = await activeSession({ holdDeadlineSeconds: 1, holdDeadlineAction: 'reject' });
    await h.call('POST', `/sessions/${rejecting}/nanocycles`, { name: 'late', run: ['echo x > LATE.md'] });
    await nanocycleStatus(rejecting, 'NC-001', ['rejected']);
    const holds = (await h.call('GET', `/sessions/${rejecting}/holds`)).json.holdPoints;
    expect(holds).toMatchObject([{ id: 'HP-001-merge', status: 'rejected', resolvedBy: 'deadline' }]);
    await h.call('POST', `/sessions/${rejecting}/end`);

    const pausing = await activeSession({ holdDeadlineSeconds: 1, holdDeadlineAction: 'pause' });
    await h.call('POST', `/sessions/${pausing}/nanocycles`, { name: 'later', run: ['echo x > LATER.md'] });
    await h.waitForSession(
      pausing,
      (s) => s.session.status === 'paused',
      'the deadline to pause the session',
    );
    // Paused, the hold point still waits for a person.
    expect((await h.call('GET', `/sessions/${pausing}/holds`)).json.holdPoints).toMatchObject([
      { id: 'HP-001-merge', status: 'pending' },
    ]);
    await h.call('POST', `/sessions/${pausing}/end`);
  });

  it('after a recover, a completed nanocycle still merges and a lost running one is marked failed', async () => {
    const id = await activeSession({ tpuLimit: 2 });
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'done', run: ['echo done > DONE.md'] });
    await pendingHold(id, 'merge');
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'busy', run: ['sleep 30'] });
    await nanocycleStatus(id, 'NC-002', ['running']);
    await h.temporalClient.workflow.getHandle(`session-${id}`).terminate('test: lose the session workflow');
    const recovered = await h.call('POST', `/sessions/${id}/recover`);
    expect(recovered.json.recovered).toBe(true);
    await nanocycleStatus(id, 'NC-002', ['failed']);
    const failedEvent = (await h.api.events(id)).find(
      (e) => e.type === 'nanocycle.failed' && e.data.nanocycleId === 'NC-002',
    );
    expect(failedEvent?.data.detail).toContain('lost when the session workflow stopped');
    expect((await h.call('POST', `/sessions/${id}/holds/HP-001-merge/approve`, {})).status).toBe(200);
    await nanocycleStatus(id, 'NC-001', ['merged']);
    const session = (await h.call('GET', `/sessions/${id}`)).json;
    expect(readFileSync(join(session.session.workspacePath, 'DONE.md'), 'utf8')).toBe('done\n');
    await h.call('POST', `/sessions/${id}/end`);
  });

  it('review and planning sessions refuse to create nanocycles', async () => {
    for (const type of ['review', 'planning'] as const) {
      const id = await activeSession({}, type);
      const reply = await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'x', run: ['true'] });
      expect(reply.status).toBe(403);
      expect(reply.json.type).toBe('urn:tevis:problem:capability-not-allowed');
      expect((await h.call('GET', `/sessions/${id}/nanocycles`)).json.nanocycles).toEqual([]);
      await h.call('POST', `/sessions/${id}/end`);
    }
  });

  it('a project that requires docker fails its nanocycles on this sandbox worker, running nothing', async () => {
    const id = await activeSession({ executor: 'docker' });
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'needs-docker', run: ['touch RAN'] });
    const failed = await nanocycleStatus(id, 'NC-001', ['failed']);
    expect(failed.executor).toBeNull();
    expect(failed.data.detail).toContain('tpu-executor-not-allowed');
    expect((await h.call('GET', `/sessions/${id}/nanocycles/NC-001/logs`)).json.lines).toEqual([]);
  });

  it('refuses a goal up front when the session has no agent command, naming the fix; run steps still go', async () => {
    const id = await activeSession();
    const reply = await h.call('POST', `/sessions/${id}/nanocycles`, {
      name: 'needs-agent',
      goal: 'add login',
    });
    expect(reply.status).toBe(409);
    expect(reply.json.type).toBe('urn:tevis:problem:agent-not-configured');
    expect(reply.json.detail).toMatch(/--run "CMD"/);
    expect(reply.json.detail).toMatch(/tevis project update nc-\d+ --agent '…'`\) and start a new session/);
    expect((await h.call('GET', `/sessions/${id}/nanocycles`)).json.nanocycles).toEqual([]);
    expect(
      (await h.call('GET', `/sessions/${id}/events`)).json.events.map((e: { type: string }) => e.type),
    ).not.toContain('nanocycle.queued');

    const cli = await runCli(
      processes,
      ['nanocycle', 'create', '--name', 'needs-agent', '--goal', 'add login', '--session', id],
      cleanEnv({ TEVIS_HOME: h.home, TEVIS_API_URL: h.apiUrl, TEVIS_API_TOKEN: h.token }),
    );
    expect(cli.code, describeRun(cli)).toBe(4);
    expect(cli.stderr).toMatch(/tevis: this session has no agent command.*tevis project update/);

    const ran = await h.call('POST', `/sessions/${id}/nanocycles`, {
      name: 'steps',
      goal: 'documented',
      run: ['true'],
    });
    expect(ran.status).toBe(201);
    await h.call('POST', `/sessions/${id}/end`);
  });

  it('refuses bad nanocycle input', async () => {
    const id = await activeSession();
    for (const body of [
      { name: 'x' },
      { name: '-x', run: ['true'] },
      { name: 'Bad Name', run: ['true'] },
      { name: 'x', run: [] },
      { name: 'x', run: ['true'], extra: 1 },
    ]) {
      const reply = await h.call('POST', `/sessions/${id}/nanocycles`, body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
    }
    expect((await h.call('POST', `/sessions/${id}/nanocycles/NC-999/cancel`)).status).toBe(404);
    expect((await h.call('POST', `/sessions/${id}/holds/HP-001-merge/approve`)).status).toBe(409);
    await h.call('POST', `/sessions/${id}/end`);
  });
});
