import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN_MD, git, makeGitFixture, type GitFixture } from '../support/git-fixtures.js';
import { SEARCH_ATTRIBUTE_NAMES } from '../../contracts/search-attributes.js';
import { createActiveSession, createProject, startHarness, waitFor, type ApiReply, type Harness } from '../support/tevis-harness.js';

/**
 * The rules the system enforces, through the HTTP API on Postgres: one open session per project
 * even under concurrent creates, the capabilities of each session type, and the API token on
 * every route but /health.
 */

const PROBLEM = 'urn:tevis:problem:';

function expectProblem(reply: ApiReply, status: number, type: string) {
  expect({ status: reply.status, type: reply.json?.type, body: reply.text }).toMatchObject({ status, type: PROBLEM + type });
  expect(reply.contentType).toContain('application/problem+json');
  expect(reply.json).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}

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

describe('one open session per project', () => {
  it('five concurrent creates give exactly one session and four conflicts naming it', async () => {
    await createProject(h, { name: 'race', repository: fx.remote });

    const replies = await Promise.all(Array.from({ length: 5 }, () => h.call('POST', '/sessions', { project: 'race' })));
    const created = replies.filter((r) => r.status === 201);
    const refused = replies.filter((r) => r.status !== 201);
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const winner = created[0]!.json.id as string;
    expect(winner).toMatch(/^sess_[a-z0-9]{6}$/);
    for (const reply of refused) {
      expectProblem(reply, 409, 'session-conflict');
      expect(reply.json.detail).toContain(winner);
      expect(reply.json.detail).toContain(`tevis session end ${winner}`);
      expect(reply.json.openSession).toBe(winner);
    }

    // One session in the record, one workflow, one workspace.
    const all = await h.call('GET', '/sessions?project=race&all=true');
    expect(all.json.sessions.map((s: { id: string }) => s.id)).toEqual([winner]);
    await h.waitForSession(winner, (s) => s.session.status === 'active', 'the winning session to become active');
    expect(await readdir(join(h.home, 'session-repos'))).toEqual([winner]);
    // Temporal's visibility store lags a little behind; wait until it shows the winner.
    const query = `TaskQueue = '${h.config.taskQueue}' AND ${SEARCH_ATTRIBUTE_NAMES.project} = 'race'`;
    const listing = await waitFor('the session workflow in Temporal visibility', async () => {
      const found: string[] = [];
      for await (const execution of h.temporalClient.workflow.list({ query })) found.push(execution.workflowId);
      return found.includes(`session-${winner}`) ? found : undefined;
    });
    expect(listing).toEqual([`session-${winner}`]);

    // And while it is open, a later create is refused the same way.
    const later = await h.call('POST', '/sessions', { project: 'race', type: 'planning' });
    expectProblem(later, 409, 'session-conflict');
    expect(later.json.detail).toContain(`tevis session end ${winner}`);

    // Once it has ended, the project's slot is free again.
    expect((await h.call('POST', `/sessions/${winner}/end`)).status).toBe(200);
    const next = await h.call('POST', '/sessions', { project: 'race' });
    expect(next.status).toBe(201);
    await h.waitForSession(next.json.id, (s) => s.session.status === 'active', 'the next session to become active');
    expect((await h.call('POST', `/sessions/${next.json.id}/end`)).status).toBe(200);
  });
});

describe('capabilities per session type', () => {
  let dev = '';
  let review = '';
  let planning = '';

  const fileEvents = async (id: string) =>
    ((await h.call('GET', `/sessions/${id}/events`)).json.events as Array<{ type: string }>).filter((e) => e.type === 'file.edited' || e.type === 'plan.drafted');

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
    expect((await git(['rev-parse', '--abbrev-ref', 'HEAD'], r.session.workspacePath)).trim()).toBe('feature/login');
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
    expect(await readFile(join(h.home, 'session-repos', planning, 'src', 'index.ts'), 'utf8')).toBe('export const answer = 42;\n');

    const plan = await h.call('PUT', `/sessions/${planning}/plan`, { plan: '# The plan\n\n1. first\n' });
    expect(plan.status).toBe(200);
    expect(plan.json).toEqual({ sessionId: planning, version: 1, length: '# The plan\n\n1. first\n'.length, created: true });
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
    expect(await readFile(join(h.home, 'session-repos', dev, 'src', 'new.ts'), 'utf8')).toBe('export const n = 1;\n');
    expect((await fileEvents(dev)).map((e) => e.type)).toEqual(['file.edited']);
  });
});

describe('the API token', () => {
  let sessionId = '';
  let routes: Array<{ method: string; path: string }> = [];

  beforeAll(async () => {
    await createProject(h, { name: 'auth', repository: fx.remote });
    sessionId = (await createActiveSession(h, { project: 'auth' })).session.id;
    const doc = await h.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    routes = Object.entries(doc.json.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path: path.replace('{id}', sessionId).replace('{name}', 'auth') })),
    );
    // The routes outside the OpenAPI document, and one that does not exist. (The reference page
    // and its files are static, like Mission Control's, and need no token.)
    routes.push(
      { method: 'GET', path: '/openapi.json' },
      { method: 'GET', path: '/no/such/route' },
      { method: 'DELETE', path: `/sessions/${sessionId}` },
    );
  });

  it('the document lists every route the issue names', () => {
    const listed = routes.map((r) => `${r.method} ${r.path.replace(sessionId, ':id')}`);
    for (const route of [
      'GET /health',
      'POST /projects',
      'GET /projects',
      'GET /projects/auth',
      'PATCH /projects/auth',
      'POST /sessions',
      'GET /sessions',
      'GET /sessions/:id',
      'POST /sessions/:id/switch',
      'POST /sessions/:id/pause',
      'POST /sessions/:id/resume',
      'POST /sessions/:id/end',
      'POST /sessions/:id/recover',
      'GET /sessions/:id/summary',
      'GET /sessions/:id/events',
      'GET /sessions/:id/events/stream',
      'GET /sessions/:id/files',
      'PUT /sessions/:id/files',
    ]) {
      expect(listed).toContain(route);
    }
  });

  it('/health answers without a token', async () => {
    const reply = await h.call('GET', '/health', undefined, { token: null });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ status: 'ok' });
  });

  it('every other route answers 401 problem+json without the token, with a wrong one, or with another scheme', async () => {
    const wrong = randomBytes(24).toString('base64url'); // same length and alphabet as a real one
    const attempts: Array<[string, Record<string, string>, string | null]> = [
      ['no token', {}, null],
      ['wrong token', {}, wrong],
      ['empty bearer', { authorization: 'Bearer ' }, null],
      ['basic scheme', { authorization: `Basic ${Buffer.from(`tevis:${h.token}`).toString('base64')}` }, null],
      ['token without scheme', { authorization: h.token }, null],
      ['token with a suffix', {}, `${h.token}x`],
      ['wrong cookie', { cookie: `tevis_token=${wrong}` }, null],
      // The browser credential of old: the API takes the bearer header only.
      ['the right token as a cookie', { cookie: `tevis_token=${h.token}` }, null],
    ];
    const checked: string[] = [];
    for (const route of routes) {
      if (route.path === '/health') continue;
      for (const [what, headers, token] of attempts) {
        const body = route.method === 'GET' ? undefined : route.path.endsWith('/files') ? 'x' : { name: 'intruder', repository: fx.remote, project: 'auth', plan: 'x' };
        const reply = await h.call(route.method, route.path, body, { headers, token });
        expect({ route: `${route.method} ${route.path}`, what, status: reply.status, type: reply.json?.type }).toEqual({
          route: `${route.method} ${route.path}`,
          what,
          status: 401,
          type: `${PROBLEM}unauthorized`,
        });
        expect(reply.contentType).toContain('application/problem+json');
        expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
        checked.push(`${route.method} ${route.path}`);
      }
    }
    expect(new Set(checked).size).toBeGreaterThanOrEqual(19);

    // Nothing the refused requests asked for happened.
    expect((await h.call('GET', '/projects')).json.projects.map((p: { name: string }) => p.name)).not.toContain('intruder');
    const session = (await h.call('GET', `/sessions/${sessionId}`)).json.session;
    expect(session.status).toBe('active');
    expect(existsSync(join(h.home, 'session-repos', sessionId, 'x'))).toBe(false);
    const types = ((await h.call('GET', `/sessions/${sessionId}/events`)).json.events as Array<{ type: string }>).map((e) => e.type);
    expect(types).not.toContain('session.paused');
    expect(types).not.toContain('session.ending');
    expect(types).not.toContain('file.edited');
  });

  it('the right token works as a bearer header, in any case of the scheme', async () => {
    expect((await h.call('GET', '/projects')).status).toBe(200);
    expect((await h.call('GET', '/projects', undefined, { token: null, headers: { authorization: `bearer ${h.token}` } })).status).toBe(200);
  });

  it('/reference is a static page that sets no cookie, even given a ?token=', async () => {
    for (const path of ['/reference', `/reference?token=${encodeURIComponent(h.token)}`]) {
      const page = await h.call('GET', path, undefined, { token: null });
      expect(page.status).toBe(200);
      expect(page.headers.get('set-cookie')).toBeNull();
      expect(page.text).not.toContain(h.token);
    }
  });
});
