import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { diffRange } from '../../git/diff-range.js';
import { reviewDiff } from '../../git/review-diff.js';
import { describeRun, runCli } from '../support/cli-run.js';
import { git, type GitFixture, makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { cleanEnv, ProcessSet } from '../support/processes.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * Review sessions through the API on real git: a branch's diff against the project's default
 * branch, approval as a --no-ff merge (pushed when the project pushes), a conflict that merges
 * nothing, rejection; a review session never executes anything.
 */
let h: Harness;
let fx: GitFixture;

beforeAll(async () => {
  h = await startHarness({ database: 'postgres', label: 'review' });
  fx = await makeGitFixture(join(h.home, 'fixture'), {
    branches: ['feat/x', 'feat/clash', 'feat/y', 'feat/cli'],
  });
  // feat/clash and main change the same line differently: merging them conflicts.
  await fx.commit({ 'src/index.ts': 'export const answer = 43;\n' }, 'clash on the branch', 'feat/clash');
  await fx.commit({ 'src/index.ts': 'export const answer = 41;\n' }, 'clash on main', 'main');
});
const processes = new ProcessSet();
afterAll(async () => {
  await processes.killAll();
  await h?.stop();
});

const events = (id: string) => h.api.events(id);
const types = async (id: string) => (await events(id)).map((e) => e.type);
const eventOf = async (id: string, type: string) => (await events(id)).find((e) => e.type === type);

describe('review sessions', () => {
  it('show the branch against its base, refuse to execute, and merge it when approved', async () => {
    await createProject(h, { name: 'rev-push', repository: fx.remote, execution: { push: 'on-merge' } });
    const onBase = await h.call('POST', '/sessions', { project: 'rev-push', type: 'review', branch: 'main' });
    expect(onBase.status).toBe(400);
    expect(onBase.json.type).toBe('urn:tevis:problem:validation');

    const { session } = await createActiveSession(h, {
      project: 'rev-push',
      type: 'review',
      branch: 'feat/x',
    });
    const id = session.id as string;
    const view = (await h.call('GET', `/sessions/${id}/review`)).json;
    expect(view).toMatchObject({
      base: 'main',
      branch: 'feat/x',
      baseCommit: fx.heads.main,
      headCommit: fx.heads['feat/x'],
      truncated: false,
      status: 'pending',
      review: { base: 'main', status: 'pending' },
    });
    expect(view.mergeBase).toBe(
      (await git(['merge-base', fx.heads.main!, fx.heads['feat/x']!], fx.remote)).trim(),
    );
    expect(view.commits).toEqual([
      { sha: fx.heads['feat/x'], subject: 'start feat/x', author: 'Tevis Fixture' },
    ]);
    expect(view.files).toEqual([{ path: 'branches/feat_x.md', additions: 1, deletions: 0 }]);
    expect(view.patch).toContain('+work on feat/x');

    const nanocycle = await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'nope', run: ['echo hi'] });
    expect(nanocycle.status).toBe(403);
    expect(nanocycle.json.type).toBe('urn:tevis:problem:capability-not-allowed');
    const badBody = await h.call('POST', `/sessions/${id}/review/approve`, { comment: 1 });
    expect(badBody.status).toBe(400);

    const approved = await h.call('POST', `/sessions/${id}/review/approve`, { comment: 'lgtm', by: 'ada' });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({
      status: 'merged',
      decidedBy: 'ada',
      comment: 'lgtm',
      mergeCommit: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    const merge = approved.json.mergeCommit as string;
    const workspace = session.workspacePath as string;
    // A real --no-ff merge on main: two parents, the base's head and the branch's.
    expect((await git(['rev-list', '--parents', '-n', '1', merge], workspace)).trim().split(' ')).toEqual([
      merge,
      fx.heads.main,
      fx.heads['feat/x'],
    ]);
    expect((await git(['log', '-1', '--format=%s', merge], workspace)).trim()).toBe(
      `Merge feat/x (review ${id})`,
    );
    expect(await git(['show', 'refs/heads/main:branches/feat_x.md'], workspace)).toBe('work on feat/x\n');
    // Push policy on-merge: the remote's main is the merge, with the file.
    expect((await git(['rev-parse', 'refs/heads/main'], fx.remote)).trim()).toBe(merge);
    expect(await git(['show', 'main:branches/feat_x.md'], fx.remote)).toBe('work on feat/x\n');
    expect(await types(id)).toEqual(
      expect.arrayContaining(['review.approved', 'review.merged', 'review.pushed']),
    );
    expect((await eventOf(id, 'review.approved'))?.data).toMatchObject({
      by: 'ada',
      comment: 'lgtm',
      base: 'main',
      branch: 'feat/x',
    });
    expect((await eventOf(id, 'review.merged'))?.data).toMatchObject({ commit: merge, by: 'ada' });
    expect((await eventOf(id, 'review.pushed'))?.data).toMatchObject({ base: 'main', commit: merge });

    const again = await h.call('POST', `/sessions/${id}/review/approve`, {});
    expect(again.status).toBe(409);
    expect(again.json.type).toBe('urn:tevis:problem:invalid-transition');
    // The diff stays what was reviewed, though the branch is now inside its base.
    const after = (await h.call('GET', `/sessions/${id}/review`)).json;
    expect(after.status).toBe('merged');
    expect(after.review.status).toBe('merged');
    expect(after.files).toEqual(view.files);
    expect((await h.call('GET', `/sessions/${id}`)).json.state.review).toMatchObject({
      status: 'merged',
      mergeCommit: merge,
    });

    await h.call('POST', `/sessions/${id}/end`);
    await waitFor(
      'the session to end',
      async () => (await h.call('GET', `/sessions/${id}`)).json.session.status === 'ended',
    );
    // Ended: the record still tells the decision.
    const ended = (await h.call('GET', `/sessions/${id}/review`)).json;
    expect(ended.review).toMatchObject({
      status: 'merged',
      decidedBy: 'ada',
      comment: 'lgtm',
      mergeCommit: merge,
    });
    const summary = (await h.call('GET', `/sessions/${id}/summary`)).json;
    expect(summary.review).toMatchObject({ status: 'merged', mergeCommit: merge, decidedBy: 'ada' });
    expect(summary.markdown).toContain(`feat/x merged into main at ${merge.slice(0, 10)} by ada — "lgtm"`);
  });

  it('a conflicting branch merges nothing and stays intact; it can then be rejected', async () => {
    await createProject(h, { name: 'rev-clash', repository: fx.remote });
    const { session } = await createActiveSession(h, {
      project: 'rev-clash',
      type: 'review',
      branch: 'feat/clash',
    });
    const id = session.id as string;
    const workspace = session.workspacePath as string;
    // The test before pushed its merge: main on the remote is where it is now.
    const mainBefore = (await git(['rev-parse', 'refs/heads/main'], fx.remote)).trim();
    const conflict = await h.call('POST', `/sessions/${id}/review/approve`, { by: 'ada' });
    expect(conflict.status).toBe(200);
    expect(conflict.json).toMatchObject({
      status: 'conflict',
      conflicts: ['src/index.ts'],
      mergeCommit: null,
    });
    expect((await git(['rev-parse', 'refs/heads/main'], workspace)).trim()).toBe(mainBefore);
    expect((await git(['rev-parse', 'refs/heads/feat/clash'], workspace)).trim()).toBe(
      fx.heads['feat/clash'],
    );
    expect((await git(['status', '--porcelain'], workspace)).trim()).toBe('');
    expect((await git(['rev-parse', 'refs/heads/main'], fx.remote)).trim()).toBe(mainBefore);
    expect((await eventOf(id, 'review.conflict'))?.data).toMatchObject({ conflicts: ['src/index.ts'] });
    expect((await h.call('GET', `/sessions/${id}/review`)).json).toMatchObject({
      status: 'conflict',
      review: { conflicts: ['src/index.ts'] },
    });
    // Still the same conflict: approving again is allowed, and merges nothing again.
    expect((await h.call('POST', `/sessions/${id}/review/approve`, {})).json.status).toBe('conflict');
    expect((await git(['rev-parse', 'refs/heads/main'], workspace)).trim()).toBe(mainBefore);

    const rejected = await h.call('POST', `/sessions/${id}/review/reject`, {
      comment: 'rebase it on main first',
      by: 'ada',
    });
    expect(rejected.json).toMatchObject({ status: 'rejected', comment: 'rebase it on main first' });
    expect(await types(id)).toEqual(
      expect.arrayContaining(['review.approved', 'review.conflict', 'review.rejected']),
    );
    expect((await eventOf(id, 'review.rejected'))?.data).toMatchObject({
      by: 'ada',
      comment: 'rebase it on main first',
    });
    expect((await h.call('GET', `/sessions/${id}`)).json.state.review).toMatchObject({
      status: 'rejected',
      comment: 'rebase it on main first',
    });
    expect((await h.call('POST', `/sessions/${id}/review/reject`, {})).status).toBe(409);
    expect((await h.call('POST', `/sessions/${id}/review/approve`, {})).status).toBe(409);
    expect(await types(id)).not.toContain('review.merged');
    await h.call('POST', `/sessions/${id}/end`);
  });

  it('push policy on-end: the merged base goes to the remote when the session ends', async () => {
    await createProject(h, { name: 'rev-end', repository: fx.remote, execution: { push: 'on-end' } });
    const { session } = await createActiveSession(h, {
      project: 'rev-end',
      type: 'review',
      branch: 'feat/y',
    });
    const id = session.id as string;
    const remoteMain = (await git(['rev-parse', 'refs/heads/main'], fx.remote)).trim();
    const approved = await h.call('POST', `/sessions/${id}/review/approve`, { by: 'ada' });
    expect(approved.json.status).toBe('merged');
    const merge = approved.json.mergeCommit as string;
    // Not yet: the remote is told when the session ends.
    expect((await git(['rev-parse', 'refs/heads/main'], fx.remote)).trim()).toBe(remoteMain);
    expect(await types(id)).not.toContain('review.pushed');
    await h.call('POST', `/sessions/${id}/end`);
    await waitFor(
      'the session to end',
      async () => (await h.call('GET', `/sessions/${id}`)).json.session.status === 'ended',
    );
    expect((await git(['rev-parse', 'refs/heads/main'], fx.remote)).trim()).toBe(merge);
    expect((await eventOf(id, 'review.pushed'))?.data).toMatchObject({
      base: 'main',
      commit: merge,
      why: 'the session ended',
    });
  });

  it('the CLI shows, approves and rejects, with the exit codes of the others', async () => {
    const env = cleanEnv({ TEVIS_HOME: h.home, TEVIS_API_URL: h.apiUrl, TEVIS_API_TOKEN: h.token });
    const tevis = (...args: string[]) => runCli(processes, args, env);
    await createProject(h, { name: 'rev-cli', repository: fx.remote });
    const { session } = await createActiveSession(h, {
      project: 'rev-cli',
      type: 'review',
      branch: 'feat/cli',
    });
    const id = session.id as string;

    const shown = await tevis('review', 'show', id, '--json');
    expect(shown.code, describeRun(shown)).toBe(0);
    expect(shown.json).toMatchObject({
      base: 'main',
      branch: 'feat/cli',
      status: 'pending',
      commits: [{ subject: 'start feat/cli' }],
    });
    const text = await tevis('review', 'show', id);
    expect(text.stdout).toContain('feat/cli → main: waiting for a decision');
    expect(text.stdout).toContain('start feat/cli');
    expect(text.stdout).toContain('1 file changed, 1 insertion(+), 0 deletions(-)');
    expect(text.stdout).not.toContain('diff --git');
    expect((await tevis('review', 'show', id, '--patch')).stdout).toContain('+work on feat/cli');
    const stat = await tevis('review', 'show', id, '--stat', '--json');
    expect(stat.json).toEqual({
      base: 'main',
      branch: 'feat/cli',
      status: 'pending',
      files: [{ path: 'branches/feat_cli.md', additions: 1, deletions: 0 }],
    });
    expect((await tevis('review', 'show', id, '--stat', '--patch')).code).toBe(2);
    // Rejecting says why.
    const silent = await tevis('review', 'reject', id);
    expect(silent.code, describeRun(silent)).toBe(2);
    expect(silent.stderr).toContain('--comment');

    const approved = await tevis('review', 'approve', id, '--comment', 'ship it', '--json');
    expect(approved.code, describeRun(approved)).toBe(0);
    expect(approved.json).toMatchObject({
      status: 'merged',
      comment: 'ship it',
      decidedBy: expect.any(String),
    });
    const again = await tevis('review', 'approve', id);
    expect(again.code, describeRun(again)).toBe(4);
    expect(again.stderr).toContain('already merged');
    await h.call('POST', `/sessions/${id}/end`);
    await waitFor(
      'the session to end',
      async () => (await h.call('GET', `/sessions/${id}`)).json.session.status === 'ended',
    );

    // A conflict is an answer (the review) and exit code 4: nothing was merged.
    const clash = (await createActiveSession(h, { project: 'rev-cli', type: 'review', branch: 'feat/clash' }))
      .session.id as string;
    const conflict = await tevis('review', 'approve', clash);
    expect(conflict.code, describeRun(conflict)).toBe(4);
    expect(conflict.stdout).toContain('feat/clash conflicts with main in src/index.ts; nothing was merged');
    const rejected = await tevis('review', 'reject', clash, '--comment', 'rebase first', '--json');
    expect(rejected.json).toMatchObject({ status: 'rejected', comment: 'rebase first' });
    // A development session has no review.
    await h.call('POST', `/sessions/${clash}/end`);
    await waitFor(
      'the session to end',
      async () => (await h.call('GET', `/sessions/${clash}`)).json.session.status === 'ended',
    );
    const dev = (await createActiveSession(h, { project: 'rev-cli' })).session.id as string;
    const refused = await tevis('review', 'show', dev, '--json');
    expect(refused.code, describeRun(refused)).toBe(4);
    expect(refused.json.error.type).toContain('capability-not-allowed');
    await h.call('POST', `/sessions/${dev}/end`);
  });

  it('a branch already inside its base: nothing to show, approving merges nothing, and it still reads', async () => {
    await createProject(h, { name: 'rev-done', repository: fx.remote });
    await git(['push', '-q', fx.remote, 'refs/heads/main:refs/heads/feat/done'], fx.work);
    const { session } = await createActiveSession(h, {
      project: 'rev-done',
      type: 'review',
      branch: 'feat/done',
    });
    const id = session.id as string;
    expect((await h.call('GET', `/sessions/${id}/review`)).json).toMatchObject({
      commits: [],
      files: [],
      patch: '',
      status: 'pending',
    });
    const approved = await h.call('POST', `/sessions/${id}/review/approve`, { by: 'ada' });
    expect(approved.status).toBe(200);
    expect(approved.json.status).toBe('merged');
    // "Merged" at the base's own commit: one parent, so the review shows that nothing came in.
    const after = await h.call('GET', `/sessions/${id}/review`);
    expect(after.status).toBe(200);
    expect(after.json).toMatchObject({ commits: [], files: [], status: 'merged' });
    await h.call('POST', `/sessions/${id}/end`);
    await waitFor(
      'the session to end',
      async () => (await h.call('GET', `/sessions/${id}`)).json.session.status === 'ended',
    );
    expect((await h.call('GET', `/sessions/${id}/review`)).status).toBe(200);
  });

  it('caps the patch at a whole line and says so', async () => {
    const whole = await diffRange(fx.work, 'main...feat/x');
    expect(whole.truncated).toBe(false);
    expect(whole.patch).toBe(await git(['diff', '--no-renames', 'main...feat/x', '--'], fx.work));
    const cut = await diffRange(fx.work, 'main...feat/x', 60);
    expect(cut).toMatchObject({ truncated: true, files: whole.files });
    expect(cut.patch).toBe('diff --git a/branches/feat_x.md b/branches/feat_x.md\n');
  });

  it('lists the newest 500 commits and says there were more', async () => {
    const workspace = join(h.home, 'long-review');
    await git(['clone', '-q', '--branch', 'main', '--', fx.remote, workspace]);
    const from = (await git(['rev-parse', 'HEAD'], workspace)).trim();
    // 501 commits in one process: fast-import continues the branch from its last commit.
    let stream = '';
    for (let i = 1; i <= 501; i++)
      stream += `commit refs/heads/feat/long\ncommitter Ada <ada@example.com> ${1_700_000_000 + i} +0000\ndata ${`step ${i}`.length}\nstep ${i}\n${i === 1 ? `from ${from}\n` : ''}\n`;
    const imported = spawnSync('git', ['fast-import', '--quiet'], { cwd: workspace, input: stream });
    expect(imported.status, imported.stderr.toString()).toBe(0);
    const view = await reviewDiff({ workspace, base: 'main', branch: 'feat/long' });
    expect(view.commits).toHaveLength(500);
    expect(view.commitsTruncated).toBe(true);
    expect(view.commits[0]!.subject).toBe('step 501');
    await git(['branch', '-q', 'feat/x', 'origin/feat/x'], workspace);
    const short = await reviewDiff({ workspace, base: 'main', branch: 'feat/x' });
    expect(short.commitsTruncated).toBe(false);
  });

  it('only a review session shows or decides a review', async () => {
    await createProject(h, { name: 'rev-dev', repository: fx.remote });
    const { session } = await createActiveSession(h, { project: 'rev-dev' });
    for (const [method, path] of [
      ['GET', `/sessions/${session.id}/review`],
      ['POST', `/sessions/${session.id}/review/approve`],
      ['POST', `/sessions/${session.id}/review/reject`],
    ] as const) {
      const reply = await h.call(method, path, method === 'POST' ? {} : undefined);
      expect(reply.status, `${method} ${path}`).toBe(403);
      expect(reply.json.type).toBe('urn:tevis:problem:capability-not-allowed');
      expect(reply.json.detail).toContain('review');
    }
    await h.call('POST', `/sessions/${session.id}/end`);
  });
});
