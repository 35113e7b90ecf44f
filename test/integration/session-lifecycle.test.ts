import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_EXECUTION_SETTINGS } from '../../contracts/execution-settings.js';
import { expectProblem } from '../support/expect-problem.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PLAN_MD,
  REPOSITORY_PREFERENCES,
  git,
  makeGitFixture,
  type GitFixture,
} from '../support/git-fixtures.js';
import { startHarness, type DatabaseKind, type Harness } from '../support/tevis-harness.js';

/**
 * The whole session lifecycle through the HTTP API, against a real Temporal dev server, real git
 * and a real database: once on Postgres, once on PGlite (the same suite). The tests of one run
 * build on each other, in order: projects, then sessions on them.
 */

const ids = (sessions: Array<{ id: string }>) => sessions.map((s) => s.id).sort();

function lifecycleSuite(kind: DatabaseKind) {
  let h: Harness;
  let fx: GitFixture;
  let scratch: string;
  // Filled in as the tests go.
  let a1 = '';
  let b1 = '';
  let a2 = '';

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), `tevis-lifecycle-${kind}-`));
    [h, fx] = await Promise.all([
      startHarness({ database: kind, label: `lifecycle-${kind}` }),
      makeGitFixture(join(scratch, 'git'), { branches: ['develop'] }),
    ]);
  });

  afterAll(async () => {
    await h?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('creates, lists, gets and updates projects', async () => {
    const created = await h.call('POST', '/projects', {
      name: 'alpha',
      repository: fx.remote,
      preferences: { style: 'from-project', owner: 'alice' },
      activeTimeout: '2h',
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: 'alpha',
      repository: fx.remote,
      defaultBranch: 'main',
      settings: {
        activeTimeoutSeconds: 7200,
        pausedTimeoutSeconds: 7 * 86400,
        preferences: { style: 'from-project', owner: 'alice' },
      },
    });

    const again = await h.call('POST', '/projects', { name: 'alpha', repository: fx.remote });
    expectProblem(again, 409, 'project-exists');

    const beta = await h.call('POST', '/projects', {
      name: 'beta',
      repository: `file://${fx.remote}`,
      defaultBranch: 'develop',
    });
    expect(beta.status).toBe(201);
    expect(beta.json).toMatchObject({
      name: 'beta',
      defaultBranch: 'develop',
      settings: { preferences: {} },
    });

    const list = await h.call('GET', '/projects');
    expect(list.status).toBe(200);
    expect(list.json.projects.map((p: { name: string }) => p.name)).toEqual(['alpha', 'beta']);

    const got = await h.call('GET', '/projects/alpha');
    expect(got.status).toBe(200);
    expect(got.json).toEqual(created.json);

    const updated = await h.call('PATCH', '/projects/alpha', {
      preferences: { owner: null, reviewer: 'bob' },
      pausedTimeout: '3d',
    });
    expect(updated.status).toBe(200);
    expect(updated.json.settings).toEqual({
      activeTimeoutSeconds: 7200,
      pausedTimeoutSeconds: 3 * 86400,
      preferences: { style: 'from-project', reviewer: 'bob' },
      // Untouched by this update: the execution defaults a new project gets.
      execution: DEFAULT_EXECUTION_SETTINGS,
    });
    expect(Date.parse(updated.json.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.json.updatedAt));

    const reread = await h.call('GET', '/projects/alpha');
    expect(reread.json).toEqual(updated.json);
  });

  it('creates a session that becomes active: a clone at the right branch and the context loaded', async () => {
    const created = await h.call('POST', '/sessions', {
      project: 'alpha',
      branch: 'develop',
      activeTimeout: '90m',
      pausedTimeout: 86400,
    });
    expect(created.status).toBe(201);
    expect(created.json.id).toMatch(/^sess_[a-z0-9]{6}$/);
    expect(created.json).toMatchObject({
      project: 'alpha',
      type: 'development',
      branch: 'develop',
      status: 'starting',
      config: {
        type: 'development',
        branch: 'develop',
        activeTimeoutSeconds: 5400,
        pausedTimeoutSeconds: 86400,
      },
      endedAt: null,
    });
    a1 = created.json.id;

    const { session, state } = await h.waitForSession(
      a1,
      (s) => s.session.status === 'active',
      'the first session to become active',
    );
    const workspace = join(h.home, 'session-repos', a1);
    expect(session.workspacePath).toBe(workspace);
    expect(session.startCommit).toBe(fx.heads.develop);
    expect(existsSync(join(workspace, '.git'))).toBe(true);
    expect((await git(['rev-parse', '--abbrev-ref', 'HEAD'], workspace)).trim()).toBe('develop');
    expect((await git(['rev-parse', 'HEAD'], workspace)).trim()).toBe(fx.heads.develop);
    expect((await git(['remote', 'get-url', 'origin'], workspace)).trim()).toBe(fx.remote);
    expect(await readFile(join(workspace, '.tevis', 'plan.md'), 'utf8')).toBe(PLAN_MD);

    expect(state.live).toBe(true);
    expect(state.activeContext).toMatchObject({
      sessionId: a1,
      project: 'alpha',
      repository: fx.remote,
      branch: 'develop',
      type: 'development',
      startedAt: session.startedAt,
      nanocycles: [],
      activeNanocycle: null,
    });
    expect(state.activeContext.context?.docs).toContain('.tevis/plan.md');
    expect(state.activeContext.context?.memoryEntries).toBe(0);
    // The repository's .tevis/config.json under the project's settings, which win.
    expect(state.activeContext.context?.preferences).toEqual({
      ...REPOSITORY_PREFERENCES,
      style: 'from-project',
      reviewer: 'bob',
    });
    expect(state.workspace).toMatchObject({
      path: workspace,
      exists: true,
      gitStatus: 'clean',
      branch: 'develop',
      modifiedFiles: [],
    });
    expect(state.workspace?.lastCommit).toMatchObject({
      sha: fx.heads.develop,
      subject: 'start develop',
      author: 'Tevis Fixture',
    });
    expect(state.execution).toEqual({ status: 'idle', activeTpus: 0, pendingHoldPoints: [] });

    const events = await h.api.events(a1);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toEqual([
      'session.created',
      'workspace.cloning',
      'workspace.cloned',
      'context.loaded',
      'services.checked',
      'session.active',
    ]);
    expect(events.find((e) => e.type === 'context.loaded')!.data.docs).toContain('.tevis/plan.md');
  });

  it('reads files and lists directories of the workspace', async () => {
    const plan = await h.call('GET', `/sessions/${a1}/files?path=.tevis/plan.md`);
    expect(plan.status).toBe(200);
    expect(plan.text).toBe(PLAN_MD);
    expect(plan.contentType).toContain('application/octet-stream');

    const root = await h.call('GET', `/sessions/${a1}/files`);
    expect(root.status).toBe(200);
    const byName = Object.fromEntries(
      root.json.entries.map((e: { name: string; type: string }) => [e.name, e.type]),
    );
    expect(byName).toMatchObject({
      'README.md': 'file',
      src: 'directory',
      '.tevis': 'directory',
      branches: 'directory',
      '.git': 'directory',
    });

    const src = await h.call('GET', `/sessions/${a1}/files?path=src`);
    expect(src.status).toBe(200);
    expect(src.json.path).toBe('src');
    expect(src.json.entries).toEqual([
      { name: 'index.ts', type: 'file', size: 'export const answer = 42;\n'.length },
      { name: 'util.ts', type: 'file', size: 'export const twice = (n: number) => n * 2;\n'.length },
    ]);

    expectProblem(await h.call('GET', `/sessions/${a1}/files?path=no/such/file.txt`), 404, 'file-not-found');
  });

  it('lists open sessions by default, and filters by project, type and status', async () => {
    const created = await h.call('POST', '/sessions', { project: 'beta', type: 'planning' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      project: 'beta',
      type: 'planning',
      branch: 'develop',
      repository: `file://${fx.remote}`,
    });
    b1 = created.json.id;
    await h.waitForSession(b1, (s) => s.session.status === 'active', 'the planning session to become active');

    const all = await h.call('GET', '/sessions');
    expect(all.status).toBe(200);
    expect(ids(all.json.sessions)).toEqual([a1, b1].sort());
    expect(ids((await h.call('GET', '/sessions?project=alpha')).json.sessions)).toEqual([a1]);
    expect(ids((await h.call('GET', '/sessions?type=planning')).json.sessions)).toEqual([b1]);
    expect(ids((await h.call('GET', '/sessions?status=active')).json.sessions)).toEqual([a1, b1].sort());
    expect(ids((await h.call('GET', '/sessions?status=paused')).json.sessions)).toEqual([]);
    expect(ids((await h.call('GET', '/sessions?project=beta&type=development')).json.sessions)).toEqual([]);
  });

  it('pauses, resumes and refuses transitions that do not fit the status', async () => {
    const paused = await h.call('POST', `/sessions/${a1}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.json).toMatchObject({ id: a1, status: 'paused' });
    expectProblem(await h.call('POST', `/sessions/${a1}/pause`), 409, 'invalid-transition');
    expect(ids((await h.call('GET', '/sessions?status=paused')).json.sessions)).toEqual([a1]);

    const got = await h.call('GET', `/sessions/${a1}`);
    expect(got.json.session.status).toBe('paused');
    expect(got.json.state.live).toBe(true);

    const resumed = await h.call('POST', `/sessions/${a1}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.json).toMatchObject({ id: a1, status: 'active' });

    // Resuming an active session is refused, and leaves it active.
    const refused = await h.call('POST', `/sessions/${a1}/resume`);
    expectProblem(refused, 409, 'invalid-transition');
    expect(refused.json.detail).toContain(a1);
    expect((await h.call('GET', `/sessions/${a1}`)).json.session.status).toBe('active');

    const types = (await h.call('GET', `/sessions/${a1}/events`)).json.events.map(
      (e: { type: string }) => e.type,
    );
    expect(types.slice(-2)).toEqual(['session.paused', 'session.resumed']);
  });

  it('switches: one project at a time; a session already active is a no-op, other projects stay as they are', async () => {
    // a1 (alpha) and b1 (beta) are both active: each project has its own active session, so
    // switching to a1 changes nothing, whatever an older client's `previous` says.
    const same = await h.call('POST', `/sessions/${a1}/switch`, { previous: b1 });
    expect(same.status).toBe(200);
    expect(same.json).toMatchObject({ session: { id: a1, status: 'active' }, resumed: false, paused: null });
    expect(same.json.message).toMatch(/already the active session/);
    expect((await h.call('GET', `/sessions/${b1}`)).json.session.status).toBe('active');

    // Paused, b1 comes back with a switch; beta has no other session to pause, alpha's stays.
    expect((await h.call('POST', `/sessions/${b1}/pause`)).status).toBe(200);
    const back = await h.call('POST', `/sessions/${b1}/switch`);
    expect(back.status).toBe(200);
    expect(back.json).toMatchObject({ session: { id: b1, status: 'active' }, resumed: true, paused: null });
    expect((await h.call('GET', `/sessions/${a1}`)).json.session.status).toBe('active');
    // b1 waits paused for the rest of the suite (its summary counts the time).
    expect((await h.call('POST', `/sessions/${b1}/pause`)).status).toBe(200);
  });

  it('writes files through the API and shows them in the workspace state', async () => {
    const readme = await h.call('PUT', `/sessions/${a1}/files?path=README.md`, '# Changed\n');
    expect(readme.status).toBe(200);
    expect(readme.json).toEqual({ path: 'README.md', bytes: '# Changed\n'.length });
    const notes = await h.call(
      'PUT',
      `/sessions/${a1}/files?path=notes/today.md`,
      'new notes\nsecond line\n',
    );
    expect(notes.status).toBe(200);
    expect(notes.json).toEqual({ path: 'notes/today.md', bytes: 'new notes\nsecond line\n'.length });

    expect((await h.call('GET', `/sessions/${a1}/files?path=README.md`)).text).toBe('# Changed\n');
    expect(await readFile(join(h.home, 'session-repos', a1, 'notes', 'today.md'), 'utf8')).toBe(
      'new notes\nsecond line\n',
    );

    const { state } = (await h.call('GET', `/sessions/${a1}`)).json;
    expect(state.workspace.gitStatus).toBe('dirty');
    expect(state.workspace.modifiedFiles).toEqual(expect.arrayContaining(['README.md', 'notes/today.md']));

    const events = await h.api.events(a1);
    expect(events.filter((e) => e.type === 'file.edited').map((e) => e.data.path)).toEqual([
      'README.md',
      'notes/today.md',
    ]);
  });

  it('ends a session: status ended, workspace kept, a summary in JSON and Markdown', async () => {
    expectProblem(await h.call('GET', `/sessions/${a1}/summary`), 409, 'summary-not-ready');

    const ended = await h.call('POST', `/sessions/${a1}/end`);
    expect(ended.status).toBe(200);
    expect(ended.json).toMatchObject({ id: a1, status: 'ended', endReason: 'user' });
    expect(ended.json.endedAt).toEqual(expect.any(String));

    const workspace = join(h.home, 'session-repos', a1);
    expect(await readFile(join(workspace, 'README.md'), 'utf8')).toBe('# Changed\n');

    const summary = await h.call('GET', `/sessions/${a1}/summary`);
    expect(summary.status).toBe(200);
    expect(summary.json).toMatchObject({
      sessionId: a1,
      project: 'alpha',
      type: 'development',
      branch: 'develop',
      reason: 'user',
      startCommit: fx.heads.develop,
      endCommit: fx.heads.develop,
      commits: 0,
      nanocycles: { total: 0, completed: 0 },
    });
    expect(summary.json.timeSpentSeconds).toBeGreaterThanOrEqual(0);
    const changed = Object.fromEntries(summary.json.filesChanged.map((f: { path: string }) => [f.path, f]));
    expect(changed['README.md']).toMatchObject({ additions: 1, deletions: 3 });
    expect(changed['notes/today.md']).toMatchObject({ additions: 2, deletions: 0 });
    expect(summary.json.filesChanged).toHaveLength(2);
    expect(summary.json.markdown).toContain(`# Session ${a1}`);
    expect(summary.json.markdown).toContain('README.md');
    expect(summary.json.markdown).toContain('notes/today.md');
    expect(summary.json.markdown).toContain('Files changed: 2');

    const markdown = await h.call('GET', `/sessions/${a1}/summary`, undefined, {
      headers: { accept: 'text/markdown' },
    });
    expect(markdown.status).toBe(200);
    expect(markdown.contentType).toContain('text/markdown');
    expect(markdown.text).toBe(summary.json.markdown);

    const types = (await h.call('GET', `/sessions/${a1}/events`)).json.events.map(
      (e: { type: string }) => e.type,
    );
    expect(types.slice(-3)).toEqual(['session.ending', 'summary.generated', 'session.ended']);

    // The ended session still answers, from the record.
    const got = await h.call('GET', `/sessions/${a1}`);
    expect(got.status).toBe(200);
    expect(got.json.session.status).toBe('ended');
    expect(got.json.state.live).toBe(false);
    expect(got.json.state.execution.status).toBe('stopped');
    expect(got.json.state.workspace).toMatchObject({ exists: true, gitStatus: 'dirty' });
  });

  it('refuses to end, pause, resume or edit an ended session (409), and changes nothing', async () => {
    for (const action of ['end', 'pause', 'resume', 'switch']) {
      const reply = await h.call('POST', `/sessions/${a1}/${action}`);
      expectProblem(reply, 409, 'invalid-transition');
    }
    expectProblem(
      await h.call('PUT', `/sessions/${a1}/files?path=late.txt`, 'too late'),
      409,
      'invalid-transition',
    );
    expect(existsSync(join(h.home, 'session-repos', a1, 'late.txt'))).toBe(false);
    const after = (await h.call('GET', `/sessions/${a1}`)).json.session;
    expect(after).toMatchObject({ status: 'ended', endReason: 'user' });
    const types = (await h.call('GET', `/sessions/${a1}/events`)).json.events.map(
      (e: { type: string }) => e.type,
    );
    expect(types.at(-1)).toBe('session.ended');
  });

  it('lists ended sessions only with all=true or a status filter', async () => {
    expect(ids((await h.call('GET', '/sessions')).json.sessions)).toEqual([b1]);
    expect(ids((await h.call('GET', '/sessions?all=true')).json.sessions)).toEqual([a1, b1].sort());
    expect(ids((await h.call('GET', '/sessions?all=false')).json.sessions)).toEqual([b1]);
    expect(ids((await h.call('GET', '/sessions?status=ended')).json.sessions)).toEqual([a1]);
    expect(ids((await h.call('GET', '/sessions?project=alpha')).json.sessions)).toEqual([]);
    expect(ids((await h.call('GET', '/sessions?project=alpha&all=true')).json.sessions)).toEqual([a1]);
  });

  it('--from-config reuses the last session configuration, and the new session remembers the first', async () => {
    const created = await h.call('POST', '/sessions', { project: 'alpha', fromConfig: true });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      type: 'development',
      branch: 'develop',
      config: {
        type: 'development',
        branch: 'develop',
        activeTimeoutSeconds: 5400,
        pausedTimeoutSeconds: 86400,
      },
    });
    a2 = created.json.id;
    expect(a2).not.toBe(a1);

    const { session, state } = await h.waitForSession(
      a2,
      (s) => s.session.status === 'active',
      'the second session to become active',
    );
    expect(session.workspacePath).toBe(join(h.home, 'session-repos', a2));
    const workspace = join(h.home, 'session-repos', a2);
    expect((await git(['rev-parse', '--abbrev-ref', 'HEAD'], workspace)).trim()).toBe('develop');
    // A fresh clone: none of the first session's edits.
    expect(await readFile(join(workspace, 'README.md'), 'utf8')).toContain('# Fixture project');
    expect(existsSync(join(workspace, 'notes'))).toBe(false);

    // Project memory: the first session's summary.
    expect(state.activeContext.context?.memoryEntries).toBe(1);
    const memory = await h.call('GET', `/sessions/${a2}/memory`);
    expect(memory.status).toBe(200);
    expect(memory.json.entries).toHaveLength(1);
    expect(memory.json.entries[0]).toMatchObject({ sessionId: a1, kind: 'summary' });
    expect(memory.json.entries[0].content).toContain(`# Session ${a1}`);

    // A project without sessions has nothing to copy.
    await h.call('POST', '/projects', { name: 'gamma', repository: fx.remote });
    expectProblem(
      await h.call('POST', '/sessions', { project: 'gamma', fromConfig: true }),
      409,
      'no-previous-session',
    );
    expect((await h.call('GET', '/sessions?project=gamma&all=true')).json.sessions).toEqual([]);
  });

  it('ends the remaining sessions; the planning session gets its summary too', async () => {
    for (const id of [a2, b1]) {
      const ended = await h.call('POST', `/sessions/${id}/end`);
      expect(ended.status).toBe(200);
      expect(ended.json.status).toBe('ended');
    }
    const summary = await h.call('GET', `/sessions/${b1}/summary`);
    expect(summary.status).toBe(200);
    expect(summary.json).toMatchObject({
      sessionId: b1,
      project: 'beta',
      type: 'planning',
      branch: 'develop',
      filesChanged: [],
    });
    // b1 was paused for a while (the switch); its metrics say so without timing anything.
    expect(summary.json.metrics).toHaveProperty('pausedSeconds');
    expect(ids((await h.call('GET', '/sessions')).json.sessions)).toEqual([]);
    expect(ids((await h.call('GET', '/sessions?all=true')).json.sessions)).toEqual([a1, a2, b1].sort());
  });

  it('lists more sessions than one page a page at a time, newest first, and says when there are no more', async () => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await h.call('GET', `/sessions?all=true&limit=1${query}`);
      expect(page.status).toBe(200);
      pages.push(page.json.sessions.map((s: { id: string }) => s.id));
      cursor = page.json.nextCursor;
    } while (cursor && pages.length < 10);
    expect(pages).toEqual([[a2], [b1], [a1]]);
    // The last page says so; the CLI's client follows the pages to the same sessions.
    expect(await h.api.typed.listSessions({ all: true })).toMatchObject([{ id: a2 }, { id: b1 }, { id: a1 }]);
    expect(await h.api.typed.listSessionsUpTo({ all: true }, 2)).toMatchObject({
      sessions: [{ id: a2 }, { id: b1 }],
      more: true,
    });
  });
}

describe.each(['postgres', 'pglite'] as const)('session lifecycle through the HTTP API on %s', (kind) => {
  lifecycleSuite(kind);
});
