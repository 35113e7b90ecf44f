import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../support/expect-problem.js';
import { startRouteApp, type RouteApp } from '../support/route-app.js';

/**
 * Path traversal on the file routes (api/routes/files.ts), in process on a real database: a
 * workspace laid out by hand with symlinks that point out of it, and every way out refused with
 * 403 `path-outside-workspace` before anything is read or written. That the same symlinks arrive
 * through a real clone is proven on the whole stack (test/integration/bad-input.test.ts).
 */

let r: RouteApp;
let id = '';
let workspace = '';
let scratch = '';
/** A directory outside every workspace that the workspace's symlinks point at. */
let outside = '';
let passwd = '';
const marker = `tevis-pwned-${randomBytes(4).toString('hex')}`;

const enc = (path: string) => `/sessions/${id}/files?path=${encodeURIComponent(path)}`;

beforeAll(async () => {
  r = await startRouteApp();
  scratch = await mkdtemp(join(tmpdir(), 'tevis-files-security-'));
  outside = join(scratch, 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'outside the workspace\n');
  await r.seedProject('alpha');
  ({ id, workspace } = await r.seedSession({ project: 'alpha' }));
  await mkdir(join(workspace, 'src'), { recursive: true });
  await mkdir(join(workspace, '.git', 'hooks'), { recursive: true });
  await writeFile(join(workspace, '.git', 'config'), '[core]\n');
  await writeFile(join(workspace, 'src', 'index.ts'), 'export const answer = 42;\n');
  await mkdir(join(workspace, 'links'));
  for (const [name, target] of Object.entries({
    etc: '/etc',
    passwd: '/etc/passwd',
    'outside-dir': outside,
    'outside-relative': '../../../outside',
    dangling: join(outside, 'created-through-dangling-link.txt'),
    'dangling-dir': join(scratch, 'missing-dir'),
    gitdir: '../.git',
    inside: '../src',
  }))
    await symlink(target, join(workspace, 'links', name));
  passwd = await readFile('/etc/passwd', 'utf8');
});

afterAll(async () => {
  await r?.close();
  await rm(scratch, { recursive: true, force: true });
  // Only if a test failed the way it must not: leave no marker in /etc.
  await rm(join('/etc', marker), { force: true });
});

const outsidePaths = [
  '..',
  '../',
  '../../etc/passwd',
  '../../../../../../../../etc/passwd',
  '/etc/passwd',
  '/etc',
  'a/../../x',
  'src/../../x',
  'src/../..',
  '..\\..\\etc\\passwd',
  'links/etc',
  'links/etc/passwd',
  'links/passwd',
  'links/outside-dir',
  'links/outside-dir/secret.txt',
  'links/outside-relative/secret.txt',
  'links/dangling',
];

describe('reads', () => {
  it('a symlink that stays inside is followed', async () => {
    const inside = await r.api.call('GET', enc('links/inside/index.ts'));
    expect(inside.status).toBe(200);
    expect(inside.text).toBe('export const answer = 42;\n');
  });

  it.each(outsidePaths)('GET %j → 403 path-outside-workspace', async (path) => {
    const reply = await r.api.call('GET', enc(path));
    expectProblem(reply, 403, 'path-outside-workspace', path);
    expect(reply.text).not.toContain('root:');
    expect(reply.text).not.toContain('outside the workspace\n');
  });
});

describe('writes', () => {
  const writes = [
    ...outsidePaths.filter((p) => !['/etc', 'links/etc'].includes(p)),
    `links/etc/${marker}`,
    `links/outside-dir/${marker}`,
    `links/outside-dir/new-dir/${marker}`,
    `links/outside-relative/${marker}`,
    `links/dangling-dir/${marker}`,
    `/tmp/${marker}`,
    `../${marker}`,
  ];

  it.each(writes)('PUT %j → 403 and writes nothing outside', async (path) => {
    const before = await r.snapshot();
    const reply = await r.api.call('PUT', enc(path), `${marker}\n`);
    expectProblem(reply, 403, 'path-outside-workspace', path);
    expect(await r.snapshot()).toEqual(before);
    expect(await readFile('/etc/passwd', 'utf8')).toBe(passwd);
    expect(existsSync(join('/etc', marker))).toBe(false);
    expect(existsSync(join(outside, 'created-through-dangling-link.txt'))).toBe(false);
    expect(existsSync(join(scratch, 'missing-dir'))).toBe(false);
    expect(existsSync(join(tmpdir(), marker))).toBe(false);
    expect(existsSync(join(r.scratch, 'session-repos', marker))).toBe(false);
  });

  it.each([
    '.git/config',
    '.git/hooks/pre-commit',
    './.git/hooks/post-checkout',
    'links/gitdir/hooks/pre-commit',
    'links/gitdir/config',
  ])('PUT into the .git directory (%j) → 403, even through a symlink', async (path) => {
    const reply = await r.api.call('PUT', enc(path), '#!/bin/sh\ntouch /tmp/owned\n');
    expectProblem(reply, 403, 'path-outside-workspace', path);
    expect(existsSync(join(workspace, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(existsSync(join(workspace, '.git', 'hooks', 'post-checkout'))).toBe(false);
    expect(await readFile(join(workspace, '.git', 'config'), 'utf8')).toBe('[core]\n');
  });

  it('a write without a path, or of a directory, is refused with a 4xx', async () => {
    expectProblem(await r.api.call('PUT', `/sessions/${id}/files`, 'x'), 400, 'validation');
    const dir = await r.api.call('PUT', enc('src'), 'x');
    expect(dir.status).toBeGreaterThanOrEqual(400);
    expect(dir.status).toBeLessThan(500);
    expect(await readdir(join(workspace, 'src'))).toEqual(['index.ts']);
  });

  it('after all of it nothing outside changed and the timeline has no file edits', async () => {
    const events = await r.database.db.query.events.findMany();
    expect(events.filter((e) => e.type === 'file.edited')).toEqual([]);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('outside the workspace\n');
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });
});

describe('what the session may do', () => {
  it('a review session may read but not write files: 403 capability-not-allowed, nothing written', async () => {
    await r.seedProject('beta');
    const review = await r.seedSession({ project: 'beta', type: 'review', branch: 'feature/x' });
    const reply = await r.api.call('PUT', `/sessions/${review.id}/files?path=x.txt`, 'x');
    expectProblem(reply, 403, 'capability-not-allowed');
    expect(existsSync(join(review.workspace, 'x.txt'))).toBe(false);
  });

  it('an ended session takes no writes: 409 invalid-transition, nothing written', async () => {
    await r.seedProject('gamma');
    const ended = await r.seedSession({ project: 'gamma', status: 'ended' });
    const reply = await r.api.call('PUT', `/sessions/${ended.id}/files?path=x.txt`, 'x');
    expectProblem(reply, 409, 'invalid-transition');
    expect(existsSync(join(ended.workspace, 'x.txt'))).toBe(false);
  });
});
