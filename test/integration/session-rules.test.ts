import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectProblem } from '../support/expect-problem.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, type GitFixture, makeGitFixture, PLAN_MD } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';
import { SEARCH_ATTRIBUTE_NAMES } from '../../contracts/search-attributes.js';
import { sessionWorkflowId } from '../../contracts/ids.js';
import { sessionStateQuery } from '../../workflows/session-messages.js';
import { sessions } from '../../db/schema.js';
import { eq } from 'drizzle-orm';

/**
 * The rules the system enforces, through the HTTP API on Postgres: one active session per project
 * (any number paused) even under concurrent creates, resumes and switches, the capabilities of each session type, and the API token on
 * every route but /health.
 */

let h: Harness;
let fx: GitFixture;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tevis-rules-'));
  [h, fx] = await Promise.all([
    startHarness({ database: 'postgres', label: 'rules' }),
    makeGitFixture(join(scratch, 'git'), { branches: ['feature/login'] }),
  ]);
});

afterAll(async () => {
  await h?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('one active session per project', () => {
  it('five concurrent creates give exactly one session and four conflicts naming it', async () => {
    await createProject(h, { name: 'race', repository: fx.remote });

    const replies = await Promise.all(
      Array.from({ length: 5 }, () => h.call('POST', '/sessions', { project: 'race' })),
    );
    const created = replies.filter((r) => r.status === 201);
    const refused = replies.filter((r) => r.status !== 201);
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const winner = created[0]!.json.id as string;
    expect(winner).toMatch(/^sess_[a-z0-9]{6}$/);
    for (const reply of refused) {
      expectProblem(reply, 409, 'session-conflict');
      expect(reply.json.detail).toContain(winner);
      expect(reply.json.detail).toContain(`tevis session end ${winner}`);
      expect(reply.json.activeSession).toBe(winner);
      expect(reply.json.detail).toContain(`tevis session pause ${winner}`);
    }

    // One session in the record, one workflow, one workspace.
    const all = await h.call('GET', '/sessions?project=race&all=true');
    expect(all.json.sessions.map((s: { id: string }) => s.id)).toEqual([winner]);
    await h.waitForSession(
      winner,
      (s) => s.session.status === 'active',
      'the winning session to become active',
    );
    expect(await readdir(join(h.home, 'session-repos'))).toEqual([winner]);
    // Temporal's visibility store lags a little behind; wait until it shows the winner.
    const query = `TaskQueue = '${h.config.taskQueue}' AND ${SEARCH_ATTRIBUTE_NAMES.project} = 'race'`;
    const listing = await waitFor('the session workflow in Temporal visibility', async () => {
      const found: string[] = [];
      for await (const execution of h.temporalClient.workflow.list({ query }))
        found.push(execution.workflowId);
      return found.includes(`session-${winner}`) ? found : undefined;
    });
    expect(listing).toEqual([`session-${winner}`]);

    // And while it is active, a later create is refused the same way.
    const later = await h.call('POST', '/sessions', { project: 'race', type: 'planning' });
    expectProblem(later, 409, 'session-conflict');
    expect(later.json.detail).toContain(`tevis session end ${winner}`);

    // Once it has ended, the project's active slot is free again.
    expect((await h.call('POST', `/sessions/${winner}/end`)).status).toBe(200);
    const next = await h.call('POST', '/sessions', { project: 'race' });
    expect(next.status).toBe(201);
    await h.waitForSession(
      next.json.id,
      (s) => s.session.status === 'active',
      'the next session to become active',
    );
    expect((await h.call('POST', `/sessions/${next.json.id}/end`)).status).toBe(200);
  });
});

describe('paused sessions wait aside; resume, switch and recover take the active slot only when it is free', () => {
  const status = async (id: string) => (await h.call('GET', `/sessions/${id}`)).json.session.status as string;
  /** The workflow's own status, asked of the workflow itself. */
  const workflowStatus = async (id: string) =>
    (await h.temporalClient.workflow.getHandle(sessionWorkflowId(id)).query(sessionStateQuery)).status;
  const timelineTypes = async (id: string) =>
    ((await h.call('GET', `/sessions/${id}/events`)).json.events as Array<{ type: string }>).map(
      (e) => e.type,
    );
  const activeOf = async (project: string) =>
    (
      (await h.call('GET', `/sessions?project=${project}`)).json.sessions as Array<{
        id: string;
        status: string;
      }>
    ).filter((s) => s.status === 'active' || s.status === 'starting');

  it('a refused resume changes nothing: record, workflow and timeline stay paused; switch then does both halves', async () => {
    await createProject(h, { name: 'aside', repository: fx.remote });
    const first = (await createActiveSession(h, { project: 'aside' })).session.id as string;
    expect((await h.call('POST', `/sessions/${first}/pause`)).json.status).toBe('paused');
    const second = (await createActiveSession(h, { project: 'aside' })).session.id as string;
    const listed = (await h.call('GET', '/sessions?project=aside')).json.sessions as Array<{
      id: string;
      status: string;
    }>;
    expect(Object.fromEntries(listed.map((s) => [s.id, s.status]))).toEqual({
      [first]: 'paused',
      [second]: 'active',
    });

    const before = await timelineTypes(first);
    const refused = await h.call('POST', `/sessions/${first}/resume`);
    expectProblem(refused, 409, 'session-conflict');
    expect(refused.json).toMatchObject({ activeSession: second, project: 'aside' });
    for (const way of [
      `tevis session end ${second}`,
      `tevis session pause ${second}`,
      'tevis session switch',
    ])
      expect(refused.json.detail).toContain(way);
    expect(await status(first)).toBe('paused');
    expect(await workflowStatus(first)).toBe('paused');
    expect(await timelineTypes(first)).toEqual(before);
    expect(await status(second)).toBe('active');

    // Switching to the active one is a no-op that says so.
    const same = await h.call('POST', `/sessions/${second}/switch`);
    expect(same.status).toBe(200);
    expect(same.json).toMatchObject({
      resumed: false,
      paused: null,
      session: { id: second, status: 'active' },
    });
    expect(same.json.message).toMatch(/already the active session/);
    expect(await status(first)).toBe('paused');

    // Switching to the paused one: the server finds the active one and pauses it.
    const switched = await h.call('POST', `/sessions/${first}/switch`);
    expect(switched.status).toBe(200);
    expect(switched.json).toMatchObject({
      resumed: true,
      paused: second,
      session: { id: first, status: 'active' },
    });
    expect([await status(first), await status(second)]).toEqual(['active', 'paused']);
    expect([await workflowStatus(first), await workflowStatus(second)]).toEqual(['active', 'paused']);
    expect((await timelineTypes(first)).filter((t) => t === 'session.resumed')).toHaveLength(1);

    // An ended session cannot be switched to, and nothing changes.
    expect((await h.call('POST', `/sessions/${second}/end`)).status).toBe(200);
    expectProblem(await h.call('POST', `/sessions/${second}/switch`), 409, 'invalid-transition');
    expect(await status(first)).toBe('active');
    expect((await h.call('POST', `/sessions/${first}/end`)).status).toBe(200);
  });

  it('a switch whose resume fails after the pause puts the paused one back and says where each session is', async () => {
    await createProject(h, { name: 'halfway', repository: fx.remote });
    const lost = (await createActiveSession(h, { project: 'halfway' })).session.id as string;
    expect((await h.call('POST', `/sessions/${lost}/pause`)).status).toBe(200);
    const active = (await createActiveSession(h, { project: 'halfway' })).session.id as string;
    // The paused session's workflow is gone: its resume can only fail, after the active one was paused.
    await h.temporalClient.workflow.getHandle(sessionWorkflowId(lost)).terminate('test: lost');

    const reply = await h.call('POST', `/sessions/${lost}/switch`);
    expectProblem(reply, 409, 'session-not-running');
    expect(reply.json.detail).toContain(`could not resume ${lost}`);
    expect(reply.json.detail).toContain(`tevis session recover ${lost}`);
    expect(reply.json.detail).toContain(`Now ${lost} is paused, ${active} is active`);
    expect(reply.json.sessions).toEqual({ [lost]: 'paused', [active]: 'active' });
    expect([await status(lost), await status(active)]).toEqual(['paused', 'active']);
    expect(await workflowStatus(active)).toBe('active');
    expect(
      (await timelineTypes(active)).filter((t) => t === 'session.paused' || t === 'session.resumed'),
    ).toEqual(['session.paused', 'session.resumed']);

    expect((await h.call('POST', `/sessions/${active}/end`)).status).toBe(200);
    expect((await h.call('POST', `/sessions/${lost}/recover`)).status).toBe(200);
    expect((await h.call('POST', `/sessions/${lost}/end`)).status).toBe(200);
  });

  it('an ending session does not hold the slot: the next one can be created while its summary is written', async () => {
    await createProject(h, { name: 'handover', repository: fx.remote });
    const ending = (await createActiveSession(h, { project: 'handover' })).session.id as string;
    // The record as it is while the summary is written (the workflow puts it so at every end).
    await h.database.db.update(sessions).set({ status: 'ending' }).where(eq(sessions.id, ending));
    const next = await h.call('POST', '/sessions', { project: 'handover' });
    expect(next.status).toBe(201);
    await h.waitForSession(
      next.json.id,
      (s) => s.session.status === 'active',
      'the next session to become active',
    );
    for (const id of [ending, next.json.id as string])
      expect((await h.call('POST', `/sessions/${id}/end`)).status).toBe(200);
    expect([await status(ending), await status(next.json.id)]).toEqual(['ended', 'ended']);
  });

  it('a create racing a resume, and two switches racing, leave exactly one active session', async () => {
    await createProject(h, { name: 'racing', repository: fx.remote });
    const paused: string[] = [];
    for (let round = 0; round < 3; round++) {
      const resumable = (await createActiveSession(h, { project: 'racing' })).session.id as string;
      expect((await h.call('POST', `/sessions/${resumable}/pause`)).status).toBe(200);
      const [created, resumed] = await Promise.all([
        h.call('POST', '/sessions', { project: 'racing' }),
        h.call('POST', `/sessions/${resumable}/resume`),
      ]);
      // One of them won; the other was refused cleanly.
      expect([created.status, resumed.status].sort()).toEqual(
        created.status === 201 ? [201, 409] : [200, 409],
      );
      const loser = created.status === 201 ? resumed : created;
      expectProblem(loser, 409, 'session-conflict');
      const winner = created.status === 201 ? (created.json.id as string) : resumable;
      if (created.status === 201)
        await h.waitForSession(
          winner,
          (s) => s.session.status === 'active',
          'the created session to become active',
        );
      expect((await activeOf('racing')).map((s) => s.id)).toEqual([winner]);
      // The loser's record and workflow agree.
      expect(await status(resumable)).toBe(winner === resumable ? 'active' : 'paused');
      expect(await workflowStatus(resumable)).toBe(winner === resumable ? 'active' : 'paused');
      // Free the slot for the next round: pause whichever is active.
      expect((await h.call('POST', `/sessions/${winner}/pause`)).status).toBe(200);
      paused.push(...new Set([resumable, winner]));
    }

    // Two paused sessions, one active: switching to both at once leaves exactly one active.
    const active = (await createActiveSession(h, { project: 'racing' })).session.id as string;
    const [x, y] = paused.slice(-2) as [string, string];
    const replies = await Promise.all([
      h.call('POST', `/sessions/${x}/switch`),
      h.call('POST', `/sessions/${y}/switch`),
    ]);
    for (const reply of replies) {
      if (reply.status !== 200) {
        expect(reply.status).toBe(409);
        // A switch that stopped half way says where each session is.
        expect(reply.json.detail).toMatch(/Now sess_[a-z0-9]{6} is \w+/);
      }
    }
    expect(replies.some((r) => r.status === 200)).toBe(true);
    const nowActive = (await activeOf('racing')).map((s) => s.id);
    expect(nowActive).toHaveLength(1);
    expect([x, y]).toContain(nowActive[0]);
    for (const id of [active, x, y]) expect(await workflowStatus(id)).toBe(await status(id));

    for (const s of (await h.call('GET', '/sessions?project=racing')).json.sessions as Array<{
      id: string;
    }>) {
      expect((await h.call('POST', `/sessions/${s.id}/end`)).status).toBe(200);
    }
  });

  it('recovering a failed session is refused while another session of the project is active', async () => {
    const repository = join(scratch, 'late', 'remote.git');
    await createProject(h, { name: 'late', repository });
    // The repository is not there yet: the session fails to start.
    const failed = (await h.call('POST', '/sessions', { project: 'late' })).json.id as string;
    await waitFor('the session to fail', async () => (await status(failed)) === 'failed');
    await makeGitFixture(join(scratch, 'late'));
    const active = (await createActiveSession(h, { project: 'late' })).session.id as string;

    const refused = await h.call('POST', `/sessions/${failed}/recover`);
    expectProblem(refused, 409, 'session-conflict');
    expect(refused.json.activeSession).toBe(active);
    expect(refused.json.detail).toContain(`tevis session pause ${active}`);
    expect(await status(failed)).toBe('failed');

    expect((await h.call('POST', `/sessions/${active}/end`)).status).toBe(200);
    const recovered = await h.call('POST', `/sessions/${failed}/recover`);
    expect(recovered.status).toBe(200);
    await h.waitForSession(
      failed,
      (s) => s.session.status === 'active',
      'the recovered session to become active',
    );
    expect((await h.call('POST', `/sessions/${failed}/end`)).status).toBe(200);
  });
});

describe('capabilities per session type', () => {
  let dev = '';
  let review = '';
  let planning = '';

  const fileEvents = async (id: string) =>
    ((await h.call('GET', `/sessions/${id}/events`)).json.events as Array<{ type: string }>).filter(
      (e) => e.type === 'file.edited' || e.type === 'plan.drafted',
    );

  beforeAll(async () => {
    await Promise.all([
      createProject(h, { name: 'dev', repository: fx.remote }),
      createProject(h, { name: 'rev', repository: fx.remote }),
      createProject(h, { name: 'plan', repository: fx.remote }),
    ]);
  });

  it('a review session needs a branch', async () => {
    const reply = await h.call('POST', '/sessions', { project: 'rev', type: 'review' });
    expectProblem(reply, 400, 'validation');
    expect(reply.json.detail).toMatch(/branch/);
    expect((await h.call('GET', '/sessions?project=rev&all=true')).json.sessions).toEqual([]);
  });

  it('starts one session of each type', async () => {
    const [d, r, p] = await Promise.all([
      createActiveSession(h, { project: 'dev', type: 'development' }),
      createActiveSession(h, { project: 'rev', type: 'review', branch: 'feature/login' }),
      createActiveSession(h, { project: 'plan', type: 'planning' }),
    ]);
    dev = d.session.id;
    review = r.session.id;
    planning = p.session.id;
    expect(r.session).toMatchObject({ type: 'review', branch: 'feature/login' });
    expect((await git(['rev-parse', '--abbrev-ref', 'HEAD'], r.session.workspacePath)).trim()).toBe(
      'feature/login',
    );
  });

  it('review: views code, refuses file edits and plan drafting (403) and writes nothing', async () => {
    const view = await h.call('GET', `/sessions/${review}/files?path=.tevis/plan.md`);
    expect(view.status).toBe(200);
    expect(view.text).toBe(PLAN_MD);
    expect((await h.call('GET', `/sessions/${review}/memory`)).status).toBe(200);

    const edit = await h.call('PUT', `/sessions/${review}/files?path=README.md`, 'overwritten by review');
    expectProblem(edit, 403, 'capability-not-allowed');
    expect(edit.json).toMatchObject({ capability: 'file:edit', sessionType: 'review' });
    expect(edit.json.detail).toMatch(/development/);
    const create = await h.call('PUT', `/sessions/${review}/files?path=new-file.txt`, 'new');
    expectProblem(create, 403, 'capability-not-allowed');

    const plan = await h.call('PUT', `/sessions/${review}/plan`, { plan: '# review plan' });
    expectProblem(plan, 403, 'capability-not-allowed');
    expect(plan.json).toMatchObject({ capability: 'plan:draft', sessionType: 'review' });

    const workspace = join(h.home, 'session-repos', review);
    expect(await readFile(join(workspace, 'README.md'), 'utf8')).toContain('# Fixture project');
    expect(existsSync(join(workspace, 'new-file.txt'))).toBe(false);
    expect((await h.call('GET', `/sessions/${review}`)).json.state.workspace.gitStatus).toBe('clean');
    expect(await fileEvents(review)).toEqual([]);
  });

  it('planning: drafts the plan, refuses file edits (403)', async () => {
    const edit = await h.call('PUT', `/sessions/${planning}/files?path=src/index.ts`, 'export {};\n');
    expectProblem(edit, 403, 'capability-not-allowed');
    expect(edit.json).toMatchObject({ capability: 'file:edit', sessionType: 'planning' });
    expect(await readFile(join(h.home, 'session-repos', planning, 'src', 'index.ts'), 'utf8')).toBe(
      'export const answer = 42;\n',
    );

    const plan = await h.call('PUT', `/sessions/${planning}/plan`, { plan: '# The plan\n\n1. first\n' });
    expect(plan.status).toBe(200);
    expect(plan.json).toEqual({
      sessionId: planning,
      version: 1,
      length: '# The plan\n\n1. first\n'.length,
      created: true,
    });
    expect((await h.call('GET', `/sessions/${planning}/memory`)).status).toBe(200);
    expect((await h.call('GET', `/sessions/${planning}/files?path=src`)).status).toBe(200);
    expect((await fileEvents(planning)).map((e) => e.type)).toEqual(['plan.drafted']);
  });

  it('development: edits files, refuses plan drafting (403)', async () => {
    const plan = await h.call('PUT', `/sessions/${dev}/plan`, { plan: '# not here' });
    expectProblem(plan, 403, 'capability-not-allowed');
    expect(plan.json).toMatchObject({ capability: 'plan:draft', sessionType: 'development' });
    expect(plan.json.detail).toMatch(/planning/);

    const edit = await h.call('PUT', `/sessions/${dev}/files?path=src/new.ts`, 'export const n = 1;\n');
    expect(edit.status).toBe(200);
    expect(await readFile(join(h.home, 'session-repos', dev, 'src', 'new.ts'), 'utf8')).toBe(
      'export const n = 1;\n',
    );
    expect((await fileEvents(dev)).map((e) => e.type)).toEqual(['file.edited']);
  });
});
