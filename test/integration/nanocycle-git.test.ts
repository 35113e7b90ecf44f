import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { cleanTemporaryFiles } from '../../activities/clean-temporary-files.js';
import { createSessionActivities } from '../../activities/index.js';
import { NoTpuExecutor } from '../../activities/tpu/no-executor.js';
import {
  commitNanocycle,
  createNanocycleWorktree,
  mergeNanocycle,
  worktreePath,
} from '../../activities/nanocycle-git.js';
import { diffNanocycle } from '../../git/nanocycle-diff.js';
import { nanocycleBranch } from '../../contracts/nanocycle.js';
import { git, makeGitFixture } from '../support/git-fixtures.js';

/** Real git: a bare remote, a session workspace cloned from it, worktrees per nanocycle. */
const base = mkdtempSync(join(tmpdir(), 'tevis-ncgit-'));
let workspace = '';

async function clone(sessionId: string): Promise<string> {
  const fixture = await makeGitFixture(join(base, `fixture-${sessionId}`));
  const path = join(base, 'session-repos', sessionId);
  await git(['clone', '--branch', 'main', '--', fixture.remote, path]);
  return path;
}

beforeAll(async () => {
  workspace = await clone('sess_aaaaaa');
});

describe('nanocycle git', () => {
  it('gives each nanocycle its own branch and worktree, and repeating it is harmless', async () => {
    const branch = nanocycleBranch('NC-001', 'auth-system');
    const path = worktreePath(base, 'sess_aaaaaa', 'NC-001');
    const first = await createNanocycleWorktree({ workspace, path, branch, base: 'main' });
    const again = await createNanocycleWorktree({ workspace, path, branch, base: 'main' });
    expect(again).toEqual(first);
    expect((await git(['rev-parse', '--abbrev-ref', 'HEAD'], path)).trim()).toBe('feat/nc-001-auth-system');
    expect((await git(['rev-parse', '--abbrev-ref', 'HEAD'], workspace)).trim()).toBe('main');
  });

  it('commits what changed, nothing when nothing did, and shows the diff against the session branch', async () => {
    const branch = nanocycleBranch('NC-002', 'docs');
    const path = worktreePath(base, 'sess_aaaaaa', 'NC-002');
    await createNanocycleWorktree({ workspace, path, branch, base: 'main' });
    expect(await commitNanocycle({ workspace, path, message: 'NC-002: docs' })).toEqual({
      commit: null,
      files: [],
      gitfile: 'intact',
    });
    writeFileSync(join(path, 'DOCS.md'), 'one\ntwo\n');
    const committed = await commitNanocycle({ workspace, path, message: 'NC-002: docs' });
    expect(committed.files).toEqual(['DOCS.md']);
    expect((await git(['log', '-1', '--format=%s%x00%an', committed.commit!], path)).trim()).toBe(
      'NC-002: docs\0Tevis TPU',
    );
    const diff = await diffNanocycle({ workspace, base: 'main', branch });
    expect(diff.files).toEqual([{ path: 'DOCS.md', additions: 2, deletions: 0 }]);
    expect(diff.patch).toContain('+one');
    // Retried after the commit was made (its worker lost before answering): the same commit, not "nothing changed".
    expect(await commitNanocycle({ workspace, path, message: 'NC-002: docs' })).toEqual(committed);
  });

  it('merges with --no-ff into the session workspace, once', async () => {
    const branch = nanocycleBranch('NC-002', 'docs');
    const merged = await mergeNanocycle({ workspace, branch, message: 'Merge NC-002: docs' });
    expect(merged).toMatchObject({ merged: true, alreadyMerged: false });
    expect(readFileSync(join(workspace, 'DOCS.md'), 'utf8')).toBe('one\ntwo\n');
    // A merge commit with two parents, not a fast-forward.
    expect(
      (await git(['rev-list', '--parents', '-n', '1', 'HEAD'], workspace)).trim().split(' '),
    ).toHaveLength(3);
    const again = await mergeNanocycle({ workspace, branch, message: 'Merge NC-002: docs' });
    expect(again).toMatchObject({ merged: true, alreadyMerged: true });
  });

  it('reports a conflict and leaves the workspace and the branch intact', async () => {
    const a = nanocycleBranch('NC-003', 'left');
    const b = nanocycleBranch('NC-004', 'right');
    for (const [id, branch, text] of [
      ['NC-003', a, 'left\n'],
      ['NC-004', b, 'right\n'],
    ] as const) {
      const path = worktreePath(base, 'sess_aaaaaa', id);
      await createNanocycleWorktree({ workspace, path, branch, base: 'main' });
      writeFileSync(join(path, 'README.md'), text);
      await commitNanocycle({ workspace, path, message: `${id}` });
    }
    expect(await mergeNanocycle({ workspace, branch: a, message: 'Merge NC-003' })).toMatchObject({
      merged: true,
    });
    const head = (await git(['rev-parse', 'HEAD'], workspace)).trim();
    const branchHead = (await git(['rev-parse', b], workspace)).trim();
    const outcome = await mergeNanocycle({ workspace, branch: b, message: 'Merge NC-004' });
    expect(outcome).toEqual({ merged: false, conflicts: ['README.md'] });
    expect((await git(['rev-parse', 'HEAD'], workspace)).trim()).toBe(head);
    expect((await git(['status', '--porcelain'], workspace)).trim()).toBe('');
    expect((await git(['rev-parse', b], workspace)).trim()).toBe(branchHead);
    expect(existsSync(join(workspace, '.git', 'MERGE_HEAD'))).toBe(false);
  });

  it('finishes a merge a lost worker left half-done, with one merge commit', async () => {
    const branch = nanocycleBranch('NC-005', 'half');
    const path = worktreePath(base, 'sess_aaaaaa', 'NC-005');
    await createNanocycleWorktree({ workspace, path, branch, base: 'main' });
    writeFileSync(join(path, 'HALF.md'), 'half\n');
    await commitNanocycle({ workspace, path, message: 'NC-005: half' });
    const before = (await git(['rev-parse', 'HEAD'], workspace)).trim();
    await git(
      ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'merge', '--no-ff', '--no-commit', branch],
      workspace,
    );
    expect(existsSync(join(workspace, '.git', 'MERGE_HEAD'))).toBe(true);
    const merged = await mergeNanocycle({ workspace, branch, message: 'Merge NC-005: half' });
    expect(merged).toMatchObject({ merged: true, alreadyMerged: false });
    expect(existsSync(join(workspace, '.git', 'MERGE_HEAD'))).toBe(false);
    expect((await git(['rev-list', '--parents', '-n', '1', 'HEAD'], workspace)).trim().split(' ')).toEqual([
      (merged as { commit: string }).commit,
      before,
      (await git(['rev-parse', branch], workspace)).trim(),
    ]);
  });

  it('session end removes the worktrees, never what a link planted in one points at, and keeps the branches', async () => {
    const outside = join(base, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'keep.txt'), 'keep\n');
    const path = worktreePath(base, 'sess_aaaaaa', 'NC-006');
    await createNanocycleWorktree({
      workspace,
      path,
      branch: nanocycleBranch('NC-006', 'links'),
      base: 'main',
    });
    symlinkSync(outside, join(path, 'escape'));
    symlinkSync(join(outside, 'keep.txt'), join(path, 'keep-link'));
    const { removed } = await cleanTemporaryFiles(base, {
      sessionId: 'sess_aaaaaa',
      workspacePath: workspace,
    });
    expect(removed).toContain(path);
    expect(existsSync(join(base, 'worktrees', 'sess_aaaaaa'))).toBe(false);
    expect(readFileSync(join(outside, 'keep.txt'), 'utf8')).toBe('keep\n');
    const listed = (await git(['worktree', 'list', '--porcelain'], workspace))
      .split('\n')
      .filter((l) => l.startsWith('worktree '));
    expect(listed).toEqual([`worktree ${workspace}`]);
    expect(
      (await git(['branch', '--list', 'feat/nc-006-links', '--format=%(refname:short)'], workspace)).trim(),
    ).toBe('feat/nc-006-links');
    // Twice is harmless.
    expect(
      (await cleanTemporaryFiles(base, { sessionId: 'sess_aaaaaa', workspacePath: workspace })).removed,
    ).not.toContain(path);
  });

  it('every git activity heartbeats while git runs, so a heartbeat timeout can notice a lost worker', async () => {
    const home = join(base, 'activity-home');
    const ws = join(home, 'session-repos', 'sess_hbhbhb');
    mkdirSync(join(home, 'session-repos'), { recursive: true });
    await git([
      'clone',
      '--branch',
      'main',
      '--',
      (await makeGitFixture(join(base, 'fixture-hb'))).remote,
      ws,
    ]);
    const activities = createSessionActivities({
      db: null as never,
      dbKind: 'none',
      home,
      tpu: new NoTpuExecutor('no TPUs in this test'),
    });
    const beats: string[] = [];
    const run = async <A extends unknown[], R>(
      name: string,
      fn: (...args: A) => Promise<R>,
      ...args: A
    ): Promise<R> => {
      const env = new MockActivityEnvironment({ attempt: 1 }, { logger: new DefaultLogger('ERROR') });
      env.on('heartbeat', () => beats.push(name));
      return env.run(fn, ...args);
    };
    const branch = nanocycleBranch('NC-001', 'beats');
    const made = await run('createNanocycleWorktree', activities.createNanocycleWorktree, {
      sessionId: 'sess_hbhbhb',
      nanocycleId: 'NC-001',
      workspace: ws,
      branch,
      base: 'main',
    });
    writeFileSync(join(made.path, 'BEAT.md'), 'beat\n');
    await run('commitNanocycle', activities.commitNanocycle, { path: made.path, message: 'NC-001: beats' });
    await run('mergeNanocycle', activities.mergeNanocycle, {
      workspace: ws,
      branch,
      message: 'Merge NC-001: beats',
    });
    await run('pushSessionBranch', activities.pushSessionBranch, { workspace: ws, branch: 'main' });
    expect([...new Set(beats)]).toEqual([
      'createNanocycleWorktree',
      'commitNanocycle',
      'mergeNanocycle',
      'pushSessionBranch',
    ]);
  });

  it('refuses branch names git would read as options', async () => {
    await expect(mergeNanocycle({ workspace, branch: '--help', message: 'x' })).rejects.toThrow(
      /begins with "-"/,
    );
    await expect(
      createNanocycleWorktree({ workspace, path: join(base, 'x'), branch: 'ok', base: '-x' }),
    ).rejects.toThrow(/begins with "-"/);
  });
});
