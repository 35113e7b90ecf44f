import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionSummary } from '../../contracts/summary.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../support/cli-run.js';
import { git, type GitFixture, makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { cleanEnv, ProcessSet } from '../support/processes.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * Work merged in a session outlives it: merged nanocycle branches reach the project's remote
 * (the default push policy, never the base branch), a review session opens one there, and the
 * next session of the branch starts from the merged commit, or says on its timeline why not.
 * Real git (bare repositories as remotes), real Temporal and Postgres, the sandbox executor.
 */
let h: Harness;
const processes = new ProcessSet();

beforeAll(async () => {
  h = await startHarness({ database: 'postgres', label: 'carry-forward' });
});
afterAll(async () => {
  await processes.killAll();
  await h?.stop();
});

const events = (id: string) => h.api.events(id);
const eventOf = async (id: string, type: string) => (await events(id)).find((e) => e.type === type);
const remoteRef = (fx: GitFixture, ref: string) =>
  git(['rev-parse', '--verify', '--quiet', `refs/heads/${ref}`], fx.remote).then(
    (s) => s.trim(),
    () => null,
  );

async function fixture(name: string, branches: string[] = []): Promise<GitFixture> {
  return makeGitFixture(join(h.home, `fixture-${name}`), { branches });
}

/** Runs one goal-less nanocycle that writes `file` and waits until it is merged (merge hold off). */
async function mergeNanocycle(sessionId: string, name: string, file: string): Promise<{ commit: string }> {
  const created = await h.call('POST', `/sessions/${sessionId}/nanocycles`, {
    name,
    run: [`echo ${name} > ${file}`],
  });
  expect(created.status, created.text).toBe(201);
  const id = created.json.id as string;
  const merged = await h.api.waitForNanocycle(sessionId, id, ['merged']);
  return { commit: merged.data.commit as string };
}

/** Ends the session and waits until it has; returns its summary. */
async function endSession(id: string): Promise<SessionSummary> {
  const ended = await h.call('POST', `/sessions/${id}/end`);
  expect(ended.status, ended.text).toBe(200);
  await h.waitForSession(id, (s) => s.session.status === 'ended', 'the session to end');
  return h.api.typed.summary(id);
}

/** The push event of one nanocycle, once written (it follows the merge). */
const pushEventOf = (sessionId: string, type: 'branch.pushed' | 'branch.push_failed', nanocycleId: string) =>
  waitFor(`${type} of ${nanocycleId}`, async () =>
    (await events(sessionId)).find((e) => e.type === type && e.data.nanocycleId === nanocycleId),
  );

describe('carrying work forward', () => {
  it('pushes merged nanocycle branches by default, never the base; the next session starts from the merge; a review session opens the branch', async () => {
    const fx = await fixture('default');
    const remoteMain = fx.heads.main!;
    const project = await createProject(h, {
      name: 'cf-default',
      repository: fx.remote,
      execution: { holdMerge: false },
    });
    expect(project.settings.execution.push).toBe('nanocycle-branches');

    const { session: first } = await createActiveSession(h, { project: 'cf-default' });
    expect(first.startCommit).toBe(remoteMain);
    // Nothing ended before it on main: nothing to carry, nothing said.
    expect((await events(first.id)).map((e) => e.type)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/carried_forward/)]),
    );
    await mergeNanocycle(first.id, 'carried', 'CARRIED.md');

    const pushed = await pushEventOf(first.id, 'branch.pushed', 'NC-001');
    expect(pushed.data).toMatchObject({ branch: 'feat/nc-001-carried', why: 'NC-001 merged' });
    expect(await remoteRef(fx, 'feat/nc-001-carried')).toBe(pushed.data.commit);
    expect(await git(['show', 'feat/nc-001-carried:CARRIED.md'], fx.remote)).toBe('carried\n');
    // The base branch on the remote is as it was.
    expect(await remoteRef(fx, 'main')).toBe(remoteMain);

    const firstSummary = await endSession(first.id);
    const finalCommit = firstSummary.endCommit as string;
    expect(finalCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(finalCommit).not.toBe(remoteMain);
    expect(await remoteRef(fx, 'main')).toBe(remoteMain);

    // The next session, created with the CLI: it starts from the merge and says so.
    const env = cleanEnv({ TEVIS_HOME: h.home, TEVIS_API_URL: h.apiUrl, TEVIS_API_TOKEN: h.token });
    const tevis = (...args: string[]) => runCli(processes, args, env);
    const second = await tevis('session', 'create', '--project', 'cf-default', '--json');
    expect(second.code, describeRun(second)).toBe(0);
    const created = JSON.parse(second.stdout);
    expect(created).toMatchObject({ status: 'active', startCommit: finalCommit });
    expect(created.startedFrom).toContain(`carried forward from session ${first.id}: 2 commit(s)`);
    const carried = await eventOf(created.id, 'workspace.carried_forward');
    expect(carried?.data).toMatchObject({
      fromSession: first.id,
      commit: finalCommit,
      commits: 2,
      remoteCommit: remoteMain,
    });
    const types = (await events(created.id)).map((e) => e.type);
    // Between the clone's start and its end: the workspace it reports is the carried one.
    expect(types.indexOf('workspace.carried_forward')).toBeGreaterThan(types.indexOf('workspace.cloning'));
    expect(types.indexOf('workspace.carried_forward')).toBeLessThan(types.indexOf('workspace.cloned'));
    expect((await eventOf(created.id, 'workspace.cloned'))?.data.startCommit).toBe(finalCommit);
    expect(readFileSync(join(created.workspacePath, 'CARRIED.md'), 'utf8')).toBe('carried\n');
    expect((await git(['rev-parse', 'HEAD'], created.workspacePath)).trim()).toBe(finalCommit);
    expect(await remoteRef(fx, 'main')).toBe(remoteMain);

    // The text form says it in a line.
    const info = await tevis('session', 'timeline', created.id);
    expect(info.code, describeRun(info)).toBe(0);
    expect(info.stdout).toContain(
      `started from ${finalCommit.slice(0, 10)}, carried forward from session ${first.id}`,
    );
    await endSession(created.id);

    // A review session of the pushed nanocycle branch: cloned from the remote, diffed against main.
    const review = await tevis(
      'session',
      'create',
      '--project',
      'cf-default',
      '--type',
      'review',
      '--branch',
      'feat/nc-001-carried',
      '--json',
    );
    expect(review.code, describeRun(review)).toBe(0);
    const reviewId = JSON.parse(review.stdout).id as string;
    const shown = await tevis('review', 'show', reviewId, '--json');
    expect(shown.code, describeRun(shown)).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      base: 'main',
      branch: 'feat/nc-001-carried',
      baseCommit: remoteMain,
      headCommit: pushed.data.commit,
      files: [{ path: 'CARRIED.md', additions: 1, deletions: 0 }],
    });
    await endSession(reviewId);
  });

  it('pushes nothing under `never`, and the next session still starts from the merge', async () => {
    const fx = await fixture('never');
    await createProject(h, {
      name: 'cf-never',
      repository: fx.remote,
      execution: { holdMerge: false, push: 'never' },
    });
    const { session: first } = await createActiveSession(h, { project: 'cf-never' });
    await mergeNanocycle(first.id, 'kept', 'KEPT.md');
    const summary = await endSession(first.id);
    const all = await events(first.id);
    expect(all.filter((e) => e.type.startsWith('branch.'))).toEqual([]);
    expect(await git(['for-each-ref', '--format=%(refname)'], fx.remote)).toBe('refs/heads/main\n');
    expect(await remoteRef(fx, 'main')).toBe(fx.heads.main);

    // A planning session starts from it too, and what it commits on the branch is carried on.
    const { session: planning } = await createActiveSession(h, { project: 'cf-never', type: 'planning' });
    expect(planning.startCommit).toBe(summary.endCommit);
    expect((await eventOf(planning.id, 'workspace.carried_forward'))?.data).toMatchObject({
      fromSession: first.id,
      commit: summary.endCommit,
    });
    expect(existsSync(join(planning.workspacePath, 'KEPT.md'))).toBe(true);
    // As a planning session's context edits are committed to `.tevis/` on its branch.
    await writeFile(join(planning.workspacePath, '.tevis', 'notes.md'), 'decided: carry it\n');
    await git(['add', '.tevis/notes.md'], planning.workspacePath);
    await git(['commit', '-q', '-m', 'planning notes'], planning.workspacePath);
    const planned = await endSession(planning.id);

    const { session: third } = await createActiveSession(h, { project: 'cf-never' });
    expect(third.startCommit).toBe(planned.endCommit);
    expect((await eventOf(third.id, 'workspace.carried_forward'))?.data).toMatchObject({
      fromSession: planning.id,
      commit: planned.endCommit,
      commits: 3,
    });
    expect(readFileSync(join(third.workspacePath, '.tevis', 'notes.md'), 'utf8')).toBe('decided: carry it\n');
    await endSession(third.id);
    expect(await git(['for-each-ref', '--format=%(refname)'], fx.remote)).toBe('refs/heads/main\n');
  });

  it('starts from the remote and says why when the remote moved on since', async () => {
    const fx = await fixture('moved');
    await createProject(h, { name: 'cf-moved', repository: fx.remote, execution: { holdMerge: false } });
    const { session: first } = await createActiveSession(h, { project: 'cf-moved' });
    await mergeNanocycle(first.id, 'local', 'LOCAL.md');
    const summary = await endSession(first.id);
    // Someone else pushes to main meanwhile.
    const moved = await fx.commit({ 'OTHER.md': 'from elsewhere\n' }, 'work pushed by someone else');

    const { session: second } = await createActiveSession(h, { project: 'cf-moved' });
    expect(second.startCommit).toBe(moved);
    expect(existsSync(join(second.workspacePath, 'LOCAL.md'))).toBe(false);
    const note = await eventOf(second.id, 'workspace.not_carried_forward');
    expect(note?.data).toMatchObject({
      fromSession: first.id,
      commit: summary.endCommit,
      remoteCommit: moved,
      reason: 'remote-moved-on',
    });
    expect(note?.data.fix).toContain('has moved on');
    expect(note?.data.fix).toContain(`push origin main`);
    expect(note?.data.fix).toContain('--push on-merge');
    expect(await eventOf(second.id, 'workspace.carried_forward')).toBeUndefined();
    // The earlier work is still where the message says.
    expect(note?.data.fix).toContain(first.workspacePath);
    expect(existsSync(join(first.workspacePath, 'LOCAL.md'))).toBe(true);
    await endSession(second.id);
  });

  it('takes the commit from an earlier workspace that holds it, and says why not once none does', async () => {
    const fx = await fixture('gone');
    await createProject(h, { name: 'cf-gone', repository: fx.remote, execution: { holdMerge: false } });
    const { session: first } = await createActiveSession(h, { project: 'cf-gone' });
    await mergeNanocycle(first.id, 'lost', 'LOST.md');
    const summary = await endSession(first.id);
    // A session that carried it and changed nothing ended on the same commit.
    const { session: second } = await createActiveSession(h, { project: 'cf-gone' });
    expect(second.startCommit).toBe(summary.endCommit);
    expect((await endSession(second.id)).endCommit).toBe(summary.endCommit);

    // Its workspace is gone, the first one's is not: the commit comes from there.
    await rm(second.workspacePath, { recursive: true, force: true });
    const { session: third } = await createActiveSession(h, { project: 'cf-gone' });
    expect(third.startCommit).toBe(summary.endCommit);
    expect((await eventOf(third.id, 'workspace.carried_forward'))?.data).toMatchObject({
      fromSession: second.id,
      commit: summary.endCommit,
      workspace: first.workspacePath,
    });
    await endSession(third.id);

    // No workspace holds it any more: the next one starts from the remote and says so.
    for (const gone of [first, third]) await rm(gone.workspacePath, { recursive: true, force: true });
    const { session: fourth } = await createActiveSession(h, { project: 'cf-gone' });
    expect(fourth.startCommit).toBe(fx.heads.main);
    expect(existsSync(join(fourth.workspacePath, 'LOST.md'))).toBe(false);
    const note = await eventOf(fourth.id, 'workspace.not_carried_forward');
    expect(note?.data).toMatchObject({
      fromSession: third.id,
      commit: summary.endCommit,
      remoteCommit: fx.heads.main,
      reason: 'workspace-gone',
    });
    expect(note?.data.fix).toContain('is gone');
    expect(note?.data.fix).toContain('--push on-merge');
    // The merged nanocycle's own branch did reach the remote.
    expect(await git(['show', 'feat/nc-001-lost:LOST.md'], fx.remote)).toBe('lost\n');
    await endSession(fourth.id);
  });

  it('a refused push is on the timeline and in the summary, and the nanocycle stays merged', async () => {
    // The remote already has a branch of that name with other work: the push is not a fast-forward.
    const fx = await fixture('refused', ['feat/nc-001-clash']);
    const theirs = fx.heads['feat/nc-001-clash']!;
    await createProject(h, { name: 'cf-refused', repository: fx.remote, execution: { holdMerge: false } });
    const { session } = await createActiveSession(h, { project: 'cf-refused' });
    await mergeNanocycle(session.id, 'clash', 'CLASH.md');
    const failed = await pushEventOf(session.id, 'branch.push_failed', 'NC-001');
    expect(failed.data).toMatchObject({ branch: 'feat/nc-001-clash', why: 'NC-001 merged' });
    expect(failed.data.error).toMatch(/rejected|fetch first|non-fast-forward/);
    expect(await remoteRef(fx, 'feat/nc-001-clash')).toBe(theirs);
    expect(await remoteRef(fx, 'main')).toBe(fx.heads.main);
    const summary = await endSession(session.id);
    expect(summary.nanocycles.byStatus).toEqual({ merged: 1 });
    expect(summary.pushFailures).toEqual([
      {
        branch: 'feat/nc-001-clash',
        commit: failed.data.commit,
        why: 'NC-001 merged',
        error: failed.data.error,
      },
    ]);
    expect(summary.markdown).toContain('## Pushes that failed');
  });
});
