import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionWorkflowId } from '../../contracts/ids.js';
import type { SessionWorkflowSummary } from '../../contracts/session-state.js';
import type { SessionType } from '../../contracts/session-types.js';
import { makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * `GET /sessions/{id}` is a read model: it answers from the record (and a cache of git facts
 * keyed on the session's events), never asks or signals the workflow, and never counts as
 * activity. What a command changed shows in the very next read.
 */
let h: Harness;
let remote = '';

beforeAll(async () => {
  h = await startHarness({ database: 'postgres', label: 'read-model' });
  remote = (await makeGitFixture(join(h.home, 'fixture'))).remote;
});
afterAll(async () => {
  await h?.stop();
});

let projects = 0;
async function activeSession(type: SessionType, extra: Record<string, unknown> = {}): Promise<string> {
  const name = `read-${++projects}`;
  await createProject(h, { name, repository: remote, execution: { holdPlan: true, holdMerge: true } });
  return (await createActiveSession(h, { project: name, type, ...extra })).session.id;
}

/** The names of the signals in the session workflow's history. */
async function signalsOf(id: string): Promise<string[]> {
  const history = await h.temporalClient.workflow.getHandle(sessionWorkflowId(id)).fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)
    .filter((name): name is string => Boolean(name));
}

describe('GET /sessions/{id} from the record', () => {
  it('shows the effect of each command in the read right after it', async () => {
    const id = await activeSession('development');
    // Every read below follows a read that filled the caches, so a stale cache would show.
    await h.api.session(id);
    expect((await h.api.ok('POST', `/sessions/${id}/pause`)).status).toBe('paused');
    expect((await h.api.session(id)).session.status).toBe('paused');
    expect((await h.api.ok('POST', `/sessions/${id}/resume`)).status).toBe('active');
    const resumed = await h.api.session(id);
    expect(resumed.session.status).toBe('active');
    expect(resumed.state.live).toBe(true);

    expect(
      (
        await h.call('POST', `/sessions/${id}/nanocycles`, {
          name: 'wave',
          run: ['printf "hi\\n" > WAVE.md'],
        })
      ).status,
    ).toBe(201);
    const created = await h.api.session(id);
    expect(created.state.activeContext.nanocycles.map((n) => n.id)).toEqual(['NC-001']);

    const plan = await h.api.waitForPendingHold(id, 'plan');
    expect((await h.api.session(id)).state.execution.pendingHoldPoints.map((p) => p.id)).toContain(plan.id);
    expect((await h.call('POST', `/sessions/${id}/holds/${plan.id}/approve`, {})).status).toBe(200);
    const approved = await h.api.session(id);
    expect(approved.state.execution.pendingHoldPoints.map((p) => p.id)).not.toContain(plan.id);

    // The record answers what the workflow itself holds (its query, asked here by the test only).
    const merge = await h.api.waitForPendingHold(id, 'merge');
    const fromWorkflow = await h.temporalClient.workflow
      .getHandle(sessionWorkflowId(id))
      .query<SessionWorkflowSummary>('sessionState');
    const fromRecord = (await h.api.session(id)).state;
    expect(fromRecord.activeContext.nanocycles).toEqual(fromWorkflow.nanocycles);
    expect(fromRecord.execution.pendingHoldPoints).toEqual(fromWorkflow.pendingHoldPoints);
    expect(fromRecord.execution.pendingHoldPoints.map((p) => p.id)).toEqual([merge.id]);
    // None of those reads signalled the workflow.
    expect(await signalsOf(id)).not.toContain('touch');
    await h.call('POST', `/sessions/${id}/end`);
  });

  it("shows a conflicting nanocycle's files and conflict count as the workflow does", async () => {
    const name = `read-${++projects}`;
    await createProject(h, { name, repository: remote, execution: { tpuLimit: 2, holdMerge: false } });
    const id = (await createActiveSession(h, { project: name, type: 'development' })).session.id;
    await h.call('POST', `/sessions/${id}/nanocycles`, {
      name: 'left',
      run: ['sleep 1', 'echo left > README.md'],
    });
    await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'right', run: ['echo right > README.md'] });
    await h.api.waitForPendingHold(id, 'conflict');
    const own = await h.temporalClient.workflow
      .getHandle(sessionWorkflowId(id))
      .query<SessionWorkflowSummary>('sessionState');
    const read = (await h.api.session(id)).state;
    const conflicted = read.activeContext.nanocycles.find((n) => n.id === 'NC-001');
    expect(conflicted).toMatchObject({ status: 'conflict', detail: 'conflicts in README.md', conflicts: 1 });
    expect(conflicted).toEqual(own.nanocycles.find((n) => n.id === 'NC-001'));
    await h.call('POST', `/sessions/${id}/end`);
  });

  it("shows a context edit's commit as the workspace's last commit in the read right after it", async () => {
    const id = await activeSession('planning');
    const before = (await h.api.session(id)).state.workspace;
    const edited = await h.api.ok<{ commit: string }>(
      'PUT',
      `/sessions/${id}/context/document?path=notes.md`,
      { content: 'read model\n' },
    );
    expect(edited.commit).not.toBe(before?.lastCommit?.sha);
    expect((await h.api.session(id)).state.workspace?.lastCommit?.sha).toBe(edited.commit);
    await h.call('POST', `/sessions/${id}/end`);
  });
});

describe('inactivity', () => {
  it('is not reset by reads: a session an open Mission Control tab keeps reading times out', async () => {
    const id = await activeSession('planning', { activeTimeout: 4 });
    const first = await h.api.session(id);
    // What Mission Control reads of an open session (web/app.js and its panels), none a command.
    const reads = [
      `/sessions/${id}`,
      `/sessions/${id}/holds`,
      `/sessions/${id}/events`,
      `/sessions/${id}/files`,
      `/sessions/${id}/context/documents`,
      `/sessions/${id}/context/preferences`,
      `/sessions/${id}/memory`,
      `/sessions/${id}/plan/versions`,
    ];
    const readAll = async () => {
      for (const path of reads) {
        const reply = await h.call('GET', path);
        if (reply.status !== 200) throw new Error(`GET ${path} answered ${reply.status}: ${reply.text}`);
      }
    };
    await readAll();
    // Reads write nothing: the record's last activity stays where it was.
    expect((await h.api.session(id)).session.lastActivityAt).toBe(first.session.lastActivityAt);

    // A write is activity: it moves the record's last activity (and touches the workflow).
    expect((await h.call('PUT', `/sessions/${id}/plan`, { plan: '# plan\n' })).status).toBe(200);
    const written = (await h.api.session(id)).session.lastActivityAt;
    expect(Date.parse(written)).toBeGreaterThan(Date.parse(first.session.lastActivityAt));

    // Reading over and over, as a tab left open does, the session still ends for inactivity.
    const ended = await waitFor(
      'the session to end for inactivity while it is being read',
      async () => {
        await readAll();
        const { session } = await h.api.session(id);
        return session.status === 'ended' ? session : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(ended.endReason).toBe('inactivity');
    // The one touch is the write's; no read signalled the workflow.
    expect((await signalsOf(id)).filter((name) => name === 'touch')).toHaveLength(1);
  }, 120_000);
});
