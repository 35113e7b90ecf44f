import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expectProblem } from '../support/expect-problem.js';
import type { MemoryPage } from '../../contracts/memory.js';
import type { PlanVersionSummary } from '../../contracts/plan.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectMemory } from '../../db/schema.js';
import { describeRun, runCli } from '../support/cli-run.js';
import {
  git,
  type GitFixture,
  makeGitFixture,
  PLAN_MD,
  REPOSITORY_PREFERENCES,
} from '../support/git-fixtures.js';
import { cleanEnv, ProcessSet } from '../support/processes.js';
import { TEVIS_BIN } from '../support/repo-paths.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * Planning sessions through the API and the CLI on real parts: plan versions, context documents
 * written and committed on the session's branch by its workflow, preferences, memory browsing.
 */

let h: Harness;
let fx: GitFixture;
let planning: string;
let workspace: string;
const processes = new ProcessSet();

beforeAll(async () => {
  h = await startHarness({ database: 'postgres', label: 'planning' });
  fx = await makeGitFixture(join(h.home, 'fixture'));
  await createProject(h, { name: 'plans', repository: fx.remote, preferences: { style: 'from-project' } });
  const { session } = await createActiveSession(h, { project: 'plans', type: 'planning' });
  planning = session.id;
  workspace = session.workspacePath;
});
afterAll(async () => {
  await processes.killAll();
  await h?.stop();
});

const events = (id: string) => h.api.events(id);
const head = async () => (await git(['rev-parse', 'HEAD'], workspace)).trim();
const docUrl = (path: string) => `/sessions/${planning}/context/document?path=${encodeURIComponent(path)}`;

describe('planning sessions', () => {
  it('keep every draft of the plan as a numbered version, read back latest, listed and by number', async () => {
    const none = await h.call('GET', `/sessions/${planning}/plan`);
    expectProblem(none, 404, 'plan-not-found');
    expect(none.json.detail).toContain('tevis plan draft');

    const first = await h.call('PUT', `/sessions/${planning}/plan`, { plan: '# Plan\n\n1. first\n' });
    expect(first.json).toEqual({ sessionId: planning, version: 1, length: 17, created: true });
    const second = await h.call('PUT', `/sessions/${planning}/plan`, {
      plan: '# Plan\n\n1. first\n2. second\n',
    });
    expect(second.json).toMatchObject({ version: 2, created: true });
    // The same text again adds no version: the answer names the one that holds it.
    const same = await h.call('PUT', `/sessions/${planning}/plan`, {
      plan: '# Plan\n\n1. first\n2. second\n',
    });
    expect(same.json).toMatchObject({ version: 2, created: false });

    const latest = await h.call('GET', `/sessions/${planning}/plan`);
    expect(latest.json).toMatchObject({
      sessionId: planning,
      version: 2,
      plan: '# Plan\n\n1. first\n2. second\n',
      length: 27,
    });
    const versions = (
      await h.call<{ versions: PlanVersionSummary[] }>('GET', `/sessions/${planning}/plan/versions`)
    ).json.versions;
    expect(versions.map((v) => [v.version, v.length])).toEqual([
      [2, 27],
      [1, 17],
    ]);
    expect((await h.call('GET', `/sessions/${planning}/plan/versions/1`)).json.plan).toBe(
      '# Plan\n\n1. first\n',
    );
    const missing = await h.call('GET', `/sessions/${planning}/plan/versions/9`);
    expectProblem(missing, 404, 'plan-not-found');
    expect(missing.json.detail).toContain('1 to 2');
    expectProblem(await h.call('GET', `/sessions/${planning}/plan/versions/0`), 400, 'validation');

    const drafted = (await events(planning)).filter((e) => e.type === 'plan.drafted');
    expect(drafted.map((e) => e.data)).toEqual([
      { version: 1, length: 17 },
      { version: 2, length: 27 },
    ]);
    const plans = (await h.call('GET', '/projects/plans/plans')).json;
    expect(plans).toMatchObject({
      project: 'plans',
      plans: [{ sessionId: planning, version: 2, length: 27 }],
    });
  });

  it('list and read the context documents the next session loads', async () => {
    const listed = (await h.call('GET', `/sessions/${planning}/context/documents`)).json;
    expect(listed.documents).toEqual([
      { path: 'config.json', bytes: expect.any(Number) },
      { path: 'plan.md', bytes: PLAN_MD.length },
    ]);
    expect((await h.call('GET', docUrl('plan.md'))).json).toEqual({
      path: 'plan.md',
      content: PLAN_MD,
      bytes: PLAN_MD.length,
    });
    expectProblem(await h.call('GET', docUrl('nope.md')), 404, 'file-not-found');
  });

  it('write a context document as one commit on the session branch, naming it; the same content commits nothing', async () => {
    const before = await head();
    const content = '# Auth\n\nUse sessions, not JWTs.\n';
    const written = await h.call('PUT', docUrl('notes/auth.md'), { content });
    expect(written.status).toBe(200);
    expect(written.json).toMatchObject({
      path: 'notes/auth.md',
      action: 'written',
      changed: true,
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    const commit = written.json.commit as string;
    // On the session's branch, right after where it was, holding only this document.
    expect((await git(['rev-parse', 'refs/heads/main'], workspace)).trim()).toBe(commit);
    expect((await git(['rev-parse', `${commit}^`], workspace)).trim()).toBe(before);
    expect(await git(['show', `${commit}:.tevis/notes/auth.md`], workspace)).toBe(content);
    expect(
      (await git(['show', '--name-only', '--format=%s', commit], workspace))
        .trim()
        .split('\n')
        .filter(Boolean),
    ).toEqual(['Edit context document .tevis/notes/auth.md', '.tevis/notes/auth.md']);
    expect((await git(['status', '--porcelain'], workspace)).trim()).toBe('');
    expect((await events(planning)).filter((e) => e.type === 'context.edited').map((e) => e.data)).toEqual([
      { path: 'notes/auth.md', action: 'written', commit, changed: true },
    ]);

    const again = await h.call('PUT', docUrl('notes/auth.md'), { content });
    expect(again.json).toMatchObject({ changed: false, commit: null });
    expect(await head()).toBe(commit);

    const listed = (
      await h.call<{ documents: Array<{ path: string }> }>('GET', `/sessions/${planning}/context/documents`)
    ).json.documents.map((d) => d.path);
    expect(listed).toContain('notes/auth.md');

    const removed = await h.call('DELETE', docUrl('notes/auth.md'));
    expect(removed.json).toMatchObject({ path: 'notes/auth.md', action: 'deleted', changed: true });
    expect((await git(['show', '--format=%s', '-s', removed.json.commit], workspace)).trim()).toBe(
      'Delete context document .tevis/notes/auth.md',
    );
    expect(existsSync(join(workspace, '.tevis/notes/auth.md'))).toBe(false);
    await expect(git(['cat-file', '-e', 'HEAD:.tevis/notes/auth.md'], workspace)).rejects.toThrow();
    expectProblem(await h.call('DELETE', docUrl('notes/auth.md')), 404, 'file-not-found');
  });

  it('refuse paths that leave .tevis/ or go through links, changing nothing on disk', async () => {
    const outside = join(h.home, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'secret.md'), 'secret\n');
    // Planted in the workspace, as merged work or the repository could.
    await symlink(join(outside, 'secret.md'), join(workspace, '.tevis', 'planted.md'));
    await symlink(outside, join(workspace, '.tevis', 'linked'));
    const before = await head();
    const outsideBefore = (await readdir(outside)).sort();

    for (const [path, type] of [
      ['../escape.md', 'path-outside-workspace'],
      ['notes/../../escape.md', 'path-outside-workspace'],
      ['/tmp/escape.md', 'path-outside-workspace'],
      ['planted.md', 'path-outside-workspace'],
      ['linked/new.md', 'path-outside-workspace'],
      ['linked/secret.md', 'path-outside-workspace'],
      ['.tevis/plan.md', 'validation'],
      ['script.sh', 'validation'],
      ['tmp/scratch.md', 'validation'],
    ] as const) {
      const put = await h.call('PUT', docUrl(path), { content: 'pwned\n' });
      expectProblem(put, type === 'validation' ? 400 : 403, type);
      expect(put.json.detail.length).toBeGreaterThan(20);
      const read = await h.call('GET', docUrl(path));
      expectProblem(read, type === 'validation' ? 400 : 403, type);
      const removed = await h.call('DELETE', docUrl(path));
      expectProblem(removed, type === 'validation' ? 400 : 403, type);
    }
    // `.tevis` itself a link (here to a folder inside the workspace, even): not followed either.
    await rename(join(workspace, '.tevis'), join(workspace, '.tevis-real'));
    await symlink(join(workspace, '.tevis-real'), join(workspace, '.tevis'));
    try {
      expectProblem(
        await h.call('PUT', docUrl('plan.md'), { content: 'pwned\n' }),
        403,
        'path-outside-workspace',
      );
      expectProblem(await h.call('GET', docUrl('plan.md')), 403, 'path-outside-workspace');
      expect(await readFile(join(workspace, '.tevis-real', 'plan.md'), 'utf8')).toBe(PLAN_MD);
    } finally {
      await rm(join(workspace, '.tevis'));
      await rename(join(workspace, '.tevis-real'), join(workspace, '.tevis'));
    }
    expect(await readFile(join(outside, 'secret.md'), 'utf8')).toBe('secret\n');
    expect((await readdir(outside)).sort()).toEqual(outsideBefore);
    expect(existsSync(join(h.home, 'escape.md'))).toBe(false);
    expect(existsSync(join(workspace, 'escape.md'))).toBe(false);
    expect(existsSync('/tmp/escape.md')).toBe(false);
    expect(await head()).toBe(before);
    expect((await events(planning)).filter((e) => e.type === 'context.edited')).toHaveLength(2);
  });

  it('read and change the preferences the next session loads, on the timeline', async () => {
    const read = (await h.call('GET', `/sessions/${planning}/context/preferences`)).json;
    expect(read).toEqual({
      project: 'plans',
      repository: REPOSITORY_PREFERENCES,
      projectSettings: { style: 'from-project' },
      effective: { ...REPOSITORY_PREFERENCES, style: 'from-project' },
    });

    const changed = await h.call('PATCH', `/sessions/${planning}/context/preferences`, {
      set: { owner: 'ada', tone: 'terse' },
    });
    expect(changed.json.projectSettings).toEqual({ style: 'from-project', owner: 'ada', tone: 'terse' });
    const unset = await h.call('PATCH', `/sessions/${planning}/context/preferences`, {
      unset: ['style', 'tone'],
    });
    expect(unset.json.effective).toEqual({ ...REPOSITORY_PREFERENCES, owner: 'ada' });
    expect((await h.call('GET', '/projects/plans')).json.settings.preferences).toEqual({ owner: 'ada' });

    expectProblem(
      await h.call('PATCH', `/sessions/${planning}/context/preferences`, {
        set: { owner: 'bob' },
        unset: ['owner'],
      }),
      400,
      'validation',
    );
    expectProblem(
      await h.call('PATCH', `/sessions/${planning}/context/preferences`, { set: { 'bad key': 'x' } }),
      400,
      'validation',
    );
    expect((await h.call('GET', '/projects/plans')).json.settings.preferences).toEqual({ owner: 'ada' });
    expect(
      (await events(planning)).filter((e) => e.type === 'preferences.changed').map((e) => e.data),
    ).toEqual([
      { project: 'plans', set: ['owner', 'tone'], unset: [] },
      { project: 'plans', set: [], unset: ['style', 'tone'] },
    ]);
  });

  it('refuse context editing and plans to other session types, naming the fix', async () => {
    await createProject(h, { name: 'dev-plans', repository: fx.remote });
    const { session } = await createActiveSession(h, { project: 'dev-plans', type: 'development' });
    for (const [method, path, body] of [
      ['GET', `/sessions/${session.id}/plan`],
      ['PUT', `/sessions/${session.id}/plan`, { plan: 'x' }],
      ['GET', `/sessions/${session.id}/context/documents`],
      ['PUT', `/sessions/${session.id}/context/document?path=x.md`, { content: 'x' }],
      ['PATCH', `/sessions/${session.id}/context/preferences`, { set: { a: 'b' } }],
    ] as const) {
      const reply = await h.call(method, path, body);
      expectProblem(reply, 403, 'capability-not-allowed');
      expect(reply.json.detail).toContain('--type planning');
    }
    expect((await h.call('GET', `/sessions/${session.id}/memory`)).status).toBe(200);
    await h.call('POST', `/sessions/${session.id}/end`);
  });

  it('read plan and context of an ended session, but draft and edit only while open; browse memory by entry, kind and page', async () => {
    const ended = await h.call('POST', `/sessions/${planning}/end`);
    expect(ended.json.status).toBe('ended');
    expect((await h.call('GET', `/sessions/${planning}/plan`)).json.version).toBe(2);
    expect((await h.call('GET', docUrl('plan.md'))).json.content).toBe(PLAN_MD);
    expectProblem(
      await h.call('PUT', `/sessions/${planning}/plan`, { plan: 'late' }),
      409,
      'invalid-transition',
    );
    expectProblem(await h.call('PUT', docUrl('late.md'), { content: 'late' }), 409, 'invalid-transition');
    expectProblem(
      await h.call('PATCH', `/sessions/${planning}/context/preferences`, { set: { late: 'x' } }),
      409,
      'invalid-transition',
    );
    expect(existsSync(join(workspace, '.tevis/late.md'))).toBe(false);

    // A note beside the summary, as memory may hold.
    await h.database.db
      .insert(projectMemory)
      .values({ project: 'plans', sessionId: null, kind: 'note', content: 'Remember the auth decision.' });
    const next = (await createActiveSession(h, { project: 'plans', type: 'planning' })).session.id as string;
    const all = (await h.call<MemoryPage>('GET', `/sessions/${next}/memory`)).json;
    expect(all.entries.map((e) => e.kind)).toEqual(['note', 'summary']);
    expect(all.entries[1]).toMatchObject({
      sessionId: planning,
      content: expect.stringContaining(`# Session ${planning}`),
    });
    expect(all.next).toBeNull();
    const summaries = (await h.call<MemoryPage>('GET', `/sessions/${next}/memory?kind=summary`)).json.entries;
    expect(summaries.map((e) => e.sessionId)).toEqual([planning]);
    const page1 = (await h.call<MemoryPage>('GET', `/sessions/${next}/memory?limit=1`)).json;
    expect(page1.entries.map((e) => e.kind)).toEqual(['note']);
    const page2 = (await h.call('GET', `/sessions/${next}/memory?limit=1&before=${page1.next}`)).json;
    expect(page2).toMatchObject({ entries: [{ kind: 'summary' }], next: null });
    const one = await h.call('GET', `/sessions/${next}/memory/${all.entries[1]?.id}`);
    expect(one.json).toEqual(all.entries[1]);
    expectProblem(await h.call('GET', `/sessions/${next}/memory/999999`), 404, 'not-found');
    expectProblem(await h.call('GET', `/sessions/${next}/memory?kind=Bad%20Kind`), 400, 'validation');
    await h.call('POST', `/sessions/${next}/end`);
  });

  it('hand what a planning session edited to the next session of the project: its documents and preferences are loaded there', async () => {
    const { session: draft } = await createActiveSession(h, { project: 'plans', type: 'planning' });
    const content = '# Decisions\n\nShip the auth feature first.\n';
    const written = await h.call(
      'PUT',
      `/sessions/${draft.id}/context/document?path=${encodeURIComponent('decisions.md')}`,
      { content },
    );
    expect(written.json).toMatchObject({ changed: true, commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(
      (await h.call('PATCH', `/sessions/${draft.id}/context/preferences`, { set: { focus: 'auth' } })).status,
    ).toBe(200);
    expect((await h.call('POST', `/sessions/${draft.id}/end`)).json.status).toBe('ended');

    const { session: work } = await createActiveSession(h, { project: 'plans' });
    // The development session starts from the planning session's commit, says so, and loads the document.
    expect(work.startCommit).toBe(written.json.commit);
    expect(await readFile(join(work.workspacePath, '.tevis/decisions.md'), 'utf8')).toBe(content);
    const carried = (await events(work.id)).find((e) => e.type === 'workspace.carried_forward');
    expect(carried?.data).toMatchObject({ fromSession: draft.id, commit: written.json.commit });
    const loaded = (await h.call('GET', `/sessions/${work.id}`)).json.state.activeContext.context;
    expect(loaded.docs).toContain('.tevis/decisions.md');
    expect(loaded.preferences).toMatchObject({ focus: 'auth' });
    await h.call('POST', `/sessions/${work.id}/end`);
  });
});

/** A CLI run with something on stdin (runCli gives none). */
function exec(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdin = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { env, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(stdin);
  });
}

describe('planning commands of the CLI', () => {
  it('draft, show and list plans, edit context documents and preferences, browse memory; errors name the fix', async () => {
    const env = cleanEnv({ TEVIS_HOME: h.home, TEVIS_API_URL: h.apiUrl, TEVIS_API_TOKEN: h.token });
    delete env.EDITOR;
    delete env.VISUAL;
    const tevis = (...args: string[]) => runCli(processes, args, env);
    await createProject(h, { name: 'cli-plans', repository: fx.remote });
    await h.database.db.insert(projectMemory).values({
      project: 'cli-plans',
      sessionId: null,
      kind: 'note',
      content: '# Decision\n\nUse Postgres.',
    });
    const created = await tevis(
      'session',
      'create',
      '--project',
      'cli-plans',
      '--type',
      'planning',
      '--json',
    );
    expect(created.code, describeRun(created)).toBe(0);
    const id = created.json.id as string;
    const { session } = await h.waitForSession(
      id,
      (s) => s.session.status === 'active',
      'the CLI planning session to become active',
    );
    const ws = session.workspacePath as string;

    const none = await tevis('plan', 'show');
    expect(none.code, describeRun(none)).toBe(3);
    expect(none.stderr).toContain('tevis plan draft');

    const file = join(h.home, 'plan-v1.md');
    await writeFile(file, '# CLI plan\n\n- one\n');
    const drafted = await tevis('plan', 'draft', '--file', file, '--json');
    expect(drafted.code, describeRun(drafted)).toBe(0);
    expect(drafted.json).toEqual({ sessionId: id, version: 1, length: 18, created: true });
    expect((await tevis('plan', 'draft', '--file', file)).stdout).toContain(
      'Plan unchanged: version 1 holds this text already',
    );
    // From stdin.
    const piped = await exec(
      process.execPath,
      [TEVIS_BIN, 'plan', 'draft', '-'],
      env,
      '# CLI plan\n\n- one\n- two\n',
    );
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toContain('Plan version 2 drafted');
    expect((await tevis('plan', 'show')).stdout).toBe('# CLI plan\n\n- one\n- two\n');
    expect((await tevis('plan', 'show', '1', '--json')).json).toMatchObject({
      version: 1,
      plan: '# CLI plan\n\n- one\n',
    });
    const versions = await tevis('plan', 'versions');
    expect(versions.stdout).toMatch(/VERSION\s+LENGTH\s+CREATED\n2\s+24\s+.*\n1\s+18\s+/);
    expect((await tevis('plan', 'draft')).stderr).toContain('--file F, or - to read it from stdin');

    expect((await tevis('context', 'list')).stdout).toMatch(
      /\.tevis\/config\.json\s+\d+\n\.tevis\/plan\.md\s+\d+/,
    );
    expect((await tevis('context', 'show', '.tevis/plan.md')).stdout).toBe(PLAN_MD);
    const notes = join(h.home, 'notes.md');
    await writeFile(notes, '# Notes\n');
    const edited = await tevis('context', 'edit', 'notes.md', '--file', notes, '--json');
    expect(edited.code, describeRun(edited)).toBe(0);
    expect(await git(['show', `${edited.json.commit}:.tevis/notes.md`], ws)).toBe('# Notes\n');
    // In $EDITOR, opened on the document as it is.
    const editor = join(h.home, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nprintf "edited after: %s" "$(cat "$1")" > "$1"\n', { mode: 0o755 });
    // At a terminal (script(1) gives it one), with $EDITOR set.
    const inEditor = await exec(
      'script',
      ['-qec', `${process.execPath} ${TEVIS_BIN} context edit notes.md`, '/dev/null'],
      { ...env, EDITOR: editor },
    );
    expect(inEditor.code, inEditor.stdout).toBe(0);
    expect(inEditor.stdout).toMatch(/Wrote \.tevis\/notes\.md, committed as [0-9a-f]{12}/);
    expect(await git(['show', 'HEAD:.tevis/notes.md'], ws)).toBe('edited after: # Notes');
    const outside = await tevis('context', 'edit', '../escape.md', '--file', notes);
    expect(outside.code, describeRun(outside)).toBe(4);
    expect(outside.stderr).toContain('must stay inside .tevis/');
    const removed = await tevis('context', 'rm', 'notes.md');
    expect(removed.stdout).toMatch(/Deleted \.tevis\/notes\.md, committed as/);
    expect((await tevis('context', 'rm', 'notes.md')).code).toBe(3);

    const prefs = await tevis('context', 'prefs', 'set', 'style=terse', 'owner=ada');
    expect(prefs.code, describeRun(prefs)).toBe(0);
    expect(prefs.stdout).toMatch(/style\s+terse\s+project/);
    expect(prefs.stdout).toMatch(/lint\s+strict\s+repository/);
    expect((await tevis('context', 'prefs', 'unset', 'owner', '--json')).json.projectSettings).toEqual({
      style: 'terse',
    });
    expect((await tevis('context', 'prefs', 'set', 'nokey')).code).toBe(2);

    const memory = await tevis('memory', '--json');
    expect(memory.code, describeRun(memory)).toBe(0);
    expect(memory.json.entries).toMatchObject([
      { kind: 'note', sessionId: null, content: '# Decision\n\nUse Postgres.' },
    ]);
    expect((await tevis('memory', 'list')).stdout).toMatch(
      /ID\s+KIND\s+SESSION\s+CREATED\s+FIRST LINE\n\d+\s+note\s+-\s+.*Decision/,
    );
    const entry = memory.json.entries[0];
    const shown = await tevis('memory', 'show', String(entry.id));
    expect(shown.stdout).toContain(`Entry:    ${entry.id}`);
    expect(shown.stdout).toContain(entry.content.split('\n')[0]);
    expect((await tevis('memory', 'list', '--limit', '0')).code).toBe(2);
    expect((await tevis('memory', 'list', '--kind', 'summary', '--json')).json).toEqual({
      entries: [],
      next: null,
    });

    // Another type's session: the error names the command that makes one that can.
    await createProject(h, { name: 'dev-cli', repository: fx.remote });
    const dev = (await createActiveSession(h, { project: 'dev-cli', type: 'development' })).session
      .id as string;
    const refused = await tevis('plan', 'draft', '--file', file, '--session', dev);
    expect(refused.code, describeRun(refused)).toBe(4);
    expect(refused.stderr).toContain(
      'a development session cannot draft plans; create a planning session: tevis session create --project dev-cli --type planning',
    );
    await h.call('POST', `/sessions/${dev}/end`);
    await h.call('POST', `/sessions/${id}/end`);
  }, 600_000);
});
