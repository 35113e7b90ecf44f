import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, makeGitFixture, type GitFixture } from '../support/git-fixtures.js';
import { createActiveSession, createProject, startHarness, waitFor, type Harness } from '../support/tevis-harness.js';

/**
 * Review sessions through the API on real git: a branch's diff against the project's default
 * branch, approval as a --no-ff merge (pushed when the project pushes), a conflict that merges
 * nothing, rejection; a review session never executes anything.
 */
let h: Harness;
let fx: GitFixture;

beforeAll(async () => {
  h = await startHarness({ database: 'postgres', label: 'review' });
  fx = await makeGitFixture(join(h.home, 'fixture'), { branches: ['feat/x', 'feat/clash'] });
  // feat/clash and main change the same line differently: merging them conflicts.
  await fx.commit({ 'src/index.ts': 'export const answer = 43;\n' }, 'clash on the branch', 'feat/clash');
  await fx.commit({ 'src/index.ts': 'export const answer = 41;\n' }, 'clash on main', 'main');
});
afterAll(async () => h?.stop());

const types = async (id: string) => ((await h.call('GET', `/sessions/${id}/events`)).json.events as any[]).map((e) => e.type);

describe('review sessions', () => {
  it('show the branch against its base, refuse to execute, and merge it when approved', async () => {
    await createProject(h, { name: 'rev-push', repository: fx.remote, execution: { push: 'on-merge' } });
    const onBase = await h.call('POST', '/sessions', { project: 'rev-push', type: 'review', branch: 'main' });
    expect(onBase.status).toBe(400);
    expect(onBase.json.type).toBe('urn:tevis:problem:validation');

    const { session } = await createActiveSession(h, { project: 'rev-push', type: 'review', branch: 'feat/x' });
    const id = session.id as string;
    const view = (await h.call('GET', `/sessions/${id}/review`)).json;
    expect(view).toMatchObject({ base: 'main', branch: 'feat/x', headCommit: fx.heads['feat/x'], truncated: false, review: { base: 'main', status: 'pending' } });
    expect(view.commits.map((c: any) => c.subject)).toEqual(['start feat/x']);
    expect(view.files).toEqual([{ path: 'branches/feat_x.md', additions: 1, deletions: 0 }]);
    expect(view.patch).toContain('+work on feat/x');

    const nanocycle = await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'nope', run: ['echo hi'] });
    expect(nanocycle.status).toBe(403);
    expect(nanocycle.json.type).toBe('urn:tevis:problem:capability-not-allowed');
    const badBody = await h.call('POST', `/sessions/${id}/review/approve`, { comment: 1 });
    expect(badBody.status).toBe(400);

    const approved = await h.call('POST', `/sessions/${id}/review/approve`, { comment: 'lgtm', by: 'ada' });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ status: 'merged', decidedBy: 'ada', comment: 'lgtm', mergeCommit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    const merge = approved.json.mergeCommit as string;
    const workspace = session.workspacePath as string;
    // A real --no-ff merge on main: two parents, the base's head and the branch's.
    expect((await git(['rev-list', '--parents', '-n', '1', merge], workspace)).trim().split(' ')).toEqual([merge, fx.heads.main, fx.heads['feat/x']]);
    expect((await git(['rev-parse', 'refs/heads/main'], fx.remote)).trim()).toBe(merge);
    expect(await types(id)).toEqual(expect.arrayContaining(['review.approved', 'review.merged', 'branch.pushed']));

    const again = await h.call('POST', `/sessions/${id}/review/approve`, {});
    expect(again.status).toBe(409);
    expect(again.json.type).toBe('urn:tevis:problem:invalid-transition');
    // The diff stays what was reviewed, though the branch is now inside its base.
    const after = (await h.call('GET', `/sessions/${id}/review`)).json;
    expect(after.review.status).toBe('merged');
    expect(after.files).toEqual(view.files);
    expect((await h.call('GET', `/sessions/${id}`)).json.state.review).toMatchObject({ status: 'merged', mergeCommit: merge });

    await h.call('POST', `/sessions/${id}/end`);
    await waitFor('the session to end', async () => (await h.call('GET', `/sessions/${id}`)).json.session.status === 'ended');
    // Ended: the record still tells the decision.
    const ended = (await h.call('GET', `/sessions/${id}/review`)).json;
    expect(ended.review).toMatchObject({ status: 'merged', decidedBy: 'ada', comment: 'lgtm', mergeCommit: merge });
  });

  it('a conflicting branch merges nothing and stays intact; it can then be rejected', async () => {
    await createProject(h, { name: 'rev-clash', repository: fx.remote });
    const { session } = await createActiveSession(h, { project: 'rev-clash', type: 'review', branch: 'feat/clash' });
    const id = session.id as string;
    const workspace = session.workspacePath as string;
    // The test before pushed its merge: main on the remote is where it is now.
    const mainBefore = (await git(['rev-parse', 'refs/heads/main'], fx.remote)).trim();
    const conflict = await h.call('POST', `/sessions/${id}/review/approve`, { by: 'ada' });
    expect(conflict.status).toBe(200);
    expect(conflict.json).toMatchObject({ status: 'conflict', conflicts: ['src/index.ts'], mergeCommit: null });
    expect((await git(['rev-parse', 'refs/heads/main'], workspace)).trim()).toBe(mainBefore);
    expect((await git(['rev-parse', 'refs/heads/feat/clash'], workspace)).trim()).toBe(fx.heads['feat/clash']);
    expect((await git(['status', '--porcelain'], workspace)).trim()).toBe('');
    expect((await git(['rev-parse', 'refs/heads/main'], fx.remote)).trim()).toBe(mainBefore);

    const rejected = await h.call('POST', `/sessions/${id}/review/reject`, { comment: 'rebase it on main first', by: 'ada' });
    expect(rejected.json).toMatchObject({ status: 'rejected', comment: 'rebase it on main first' });
    expect(await types(id)).toEqual(expect.arrayContaining(['review.approved', 'review.conflict', 'review.rejected']));
    expect((await h.call('POST', `/sessions/${id}/review/reject`, {})).status).toBe(409);
    await h.call('POST', `/sessions/${id}/end`);
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
