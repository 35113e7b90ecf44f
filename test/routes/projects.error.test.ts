import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../support/expect-problem.js';
import { startRouteApp, type RouteApp } from '../support/route-app.js';

/**
 * Bad input to the project routes (api/routes/projects.ts), in process on a real database: each
 * gets a clear 4xx problem+json with its stable type, and the record does not change.
 */

let r: RouteApp;
const marker = `tevis-pwned-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  r = await startRouteApp();
  await r.seedProject('alpha');
});

afterAll(async () => {
  await r?.close();
});

describe('malformed bodies', () => {
  const malformed: Array<[string, string]> = [
    ['truncated JSON', '{"name": "x",'],
    ['not JSON at all', 'name=x&repository=y'],
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['a JSON string', '"alpha"'],
    ['a JSON number', '42'],
    ['JSON with a trailing comma', '{"project": "alpha",}'],
  ];

  it.each(malformed)(
    '%s → 400 validation on project create and update, nothing changed',
    async (_what, body) => {
      const before = await r.snapshot();
      for (const [method, path] of [
        ['POST', '/projects'],
        ['PATCH', '/projects/alpha'],
      ] as const) {
        expectProblem(
          await r.api.call(method, path, body, { contentType: 'application/json' }),
          400,
          'validation',
          `${method} ${path}`,
        );
      }
      expect(await r.snapshot()).toEqual(before);
    },
  );

  it('JSON sent as another content type is refused, not guessed at', async () => {
    const before = await r.snapshot();
    const body = JSON.stringify({ name: 'by-text', repository: '/tmp/r.git' });
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
    ]) {
      const reply = await r.api.call('POST', '/projects', body, { contentType });
      expect({ contentType, status: reply.status === 400 || reply.status === 415 }).toEqual({
        contentType,
        status: true,
      });
      expect(reply.contentType).toContain('application/problem+json');
    }
    expect(await r.snapshot()).toEqual(before);
  });

  it('a body larger than the limit → 413', async () => {
    const reply = await r.api.call(
      'POST',
      '/projects',
      JSON.stringify({
        name: 'big',
        repository: '/tmp/r.git',
        preferences: { a: 'x'.repeat(7 * 1024 * 1024) },
      }),
      { contentType: 'application/json' },
    );
    expectProblem(reply, 413, 'payload-too-large');
    expect((await r.api.call('GET', '/projects/big')).status).toBe(404);
  });
});

describe('unknown fields and wrong types', () => {
  const cases: Array<[string, string, string, unknown]> = [
    [
      'unknown field on project create',
      'POST',
      '/projects',
      { name: 'beta', repository: '/tmp/r.git', admin: true },
    ],
    [
      'project name with capitals and a space',
      'POST',
      '/projects',
      { name: 'Bad Name', repository: '/tmp/r.git' },
    ],
    ['project name too long', 'POST', '/projects', { name: 'a'.repeat(64), repository: '/tmp/r.git' }],
    ['project without repository', 'POST', '/projects', { name: 'beta' }],
    ['repository as a number', 'POST', '/projects', { name: 'beta', repository: 42 }],
    ['timeout of zero', 'POST', '/projects', { name: 'beta', repository: '/tmp/r.git', activeTimeout: 0 }],
    [
      'timeout as prose',
      'POST',
      '/projects',
      { name: 'beta', repository: '/tmp/r.git', pausedTimeout: 'two hours' },
    ],
    [
      'timeout beyond a year',
      'POST',
      '/projects',
      { name: 'beta', repository: '/tmp/r.git', pausedTimeout: '400d' },
    ],
    [
      'preference key with spaces',
      'POST',
      '/projects',
      { name: 'beta', repository: '/tmp/r.git', preferences: { 'bad key': 'x' } },
    ],
    [
      'preference value not a string',
      'POST',
      '/projects',
      { name: 'beta', repository: '/tmp/r.git', preferences: { k: 1 } },
    ],
    ['renaming through update', 'PATCH', '/projects/alpha', { name: 'renamed' }],
    ['unknown field on project update', 'PATCH', '/projects/alpha', { settings: { preferences: {} } }],
    ['negative timeout on update', 'PATCH', '/projects/alpha', { activeTimeout: -5 }],
  ];

  it.each(cases)('%s → 400 validation, nothing changed', async (_what, method, path, body) => {
    const before = await r.snapshot();
    const reply = await r.api.call(method, path, body);
    expectProblem(reply, 400, 'validation');
    expect(reply.json.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ message: expect.any(String) })]),
    );
    expect(await r.snapshot()).toEqual(before);
  });

  it('names the unknown field', async () => {
    const reply = await r.api.call('POST', '/projects', {
      name: 'beta',
      repository: '/tmp/r.git',
      admin: true,
    });
    expect(reply.json.detail).toContain('admin');
  });
});

describe('unknown projects', () => {
  it('an unknown project → 404 project-not-found, nothing changed', async () => {
    const before = await r.snapshot();
    expectProblem(await r.api.call('GET', '/projects/nope'), 404, 'project-not-found');
    expectProblem(
      await r.api.call('PATCH', '/projects/nope', { defaultBranch: 'x' }),
      404,
      'project-not-found',
    );
    expect(await r.snapshot()).toEqual(before);
  });

  it('a project that exists already → 409 project-exists, nothing changed', async () => {
    const before = await r.snapshot();
    expectProblem(
      await r.api.call('POST', '/projects', { name: 'alpha', repository: '/tmp/r.git' }),
      409,
      'project-exists',
    );
    expect(await r.snapshot()).toEqual(before);
  });
});

describe('invalid repository URLs', () => {
  const markerPath = join(tmpdir(), marker);
  const urls = [
    `ext::sh -c touch% ${markerPath}`,
    `ext::sh -c touch ${markerPath}`,
    '-uhttps://x',
    '--upload-pack=x',
    `--upload-pack=touch ${markerPath}`,
    '-oProxyCommand=x@host:repo',
    `ssh://-oProxyCommand=touch%20${markerPath}/repo`,
    'ssh://git@-oProxyCommand=x/repo',
    'fd::1',
    'fd::0,1/repo',
    'https://user:password@example.com/repo.git',
    'https://token@example.com/repo.git',
    'ftp://x/y',
    'javascript:alert(1)',
    'relative/path/repo.git',
    '/tmp/../etc/repo.git',
    'https://',
    'https://exa mple.com/repo.git',
    'https://example.com/repo.git\n--upload-pack=x',
    '',
    `https://example.com/${'a'.repeat(2100)}`,
  ];

  it.each(urls.map((url) => [JSON.stringify(url).slice(0, 60), url]))(
    '%s → 400 on project create and update, nothing changed',
    async (_label, url) => {
      const before = await r.snapshot();
      const created = await r.api.call('POST', '/projects', { name: 'evil', repository: url });
      expectProblem(created, 400, 'validation');
      expect(created.json.detail).toMatch(/repository/);
      expectProblem(await r.api.call('PATCH', '/projects/alpha', { repository: url }), 400, 'validation');
      expect(await r.snapshot()).toEqual(before);
      expect((await r.api.call('GET', '/projects/evil')).status).toBe(404);
      expect(existsSync(markerPath)).toBe(false);
    },
  );

  it('the password never shows in the error', async () => {
    const reply = await r.api.call('POST', '/projects', {
      name: 'evil',
      repository: 'https://user:s3cr3t-pw@example.com/repo.git',
    });
    expectProblem(reply, 400, 'validation');
    expect(reply.text).not.toContain('s3cr3t-pw');
  });
});
