import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSessionStatus } from '../../db/sessions-store.js';
import { expectProblem } from '../support/expect-problem.js';
import { startRouteApp, type RouteApp } from '../support/route-app.js';

/**
 * Bad input to the session routes (api/routes/sessions.ts and the routes under /sessions/{id}),
 * in process on a real database: each gets a clear 4xx problem+json with its stable type before
 * any workflow is asked, and the record does not change.
 */

let r: RouteApp;

beforeAll(async () => {
  r = await startRouteApp();
  await r.seedProject('alpha');
});

afterAll(async () => {
  await r?.close();
});

describe('malformed bodies', () => {
  it.each([
    ['truncated JSON', '{"name": "x",'],
    ['not JSON at all', 'name=x&repository=y'],
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['a JSON string', '"alpha"'],
    ['a JSON number', '42'],
    ['JSON with a trailing comma', '{"project": "alpha",}'],
  ])('%s → 400 validation on session create, nothing changed', async (_what, body) => {
    const before = await r.snapshot();
    expectProblem(
      await r.api.call('POST', '/sessions', body, { contentType: 'application/json' }),
      400,
      'validation',
    );
    expect(await r.snapshot()).toEqual(before);
  });

  it.each([
    ['truncated JSON', '{"previous": "sess_', 'application/json'],
    ['a JSON array', '[]', 'application/json'],
    ['previous not a string', '{"previous": 5}', 'application/json'],
    ['an unknown field', '{"previous": "sess_zzzzzz", "force": true}', 'application/json'],
  ])('POST /switch with %s → 400, nothing switched', async (_what, body, contentType) => {
    const { id } = await r.seedSession({ project: 'alpha', status: 'paused' });
    const before = await r.snapshot();
    expectProblem(
      await r.api.call('POST', `/sessions/${id}/switch`, body, { contentType }),
      400,
      'validation',
    );
    expect(await r.snapshot()).toEqual(before);
    expect(await findSessionStatus(r.database.db, id)).toBe('paused');
  });
});

describe('unknown fields and wrong types', () => {
  const cases: Array<[string, unknown]> = [
    ['unknown field on session create', { project: 'alpha', workspace: '/etc' }],
    ['unknown session type', { project: 'alpha', type: 'hacking' }],
    ['fromConfig not a boolean', { project: 'alpha', fromConfig: 'yes' }],
    ['session without project', { type: 'development' }],
    ['project name that is a path', { project: '../alpha' }],
  ];

  it.each(cases)('%s → 400 validation, nothing changed', async (_what, body) => {
    const before = await r.snapshot();
    const reply = await r.api.call('POST', '/sessions', body);
    expectProblem(reply, 400, 'validation');
    expect(reply.json.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ message: expect.any(String) })]),
    );
    expect(await r.snapshot()).toEqual(before);
  });

  it.each([
    ['status', '/sessions?status=bogus'],
    ['type', '/sessions?type=hacking'],
    ['all', '/sessions?all=yes'],
    ['project', '/sessions?project=Not%20A%20Name'],
  ])('a bad %s filter on the session list → 400', async (_what, path) => {
    expectProblem(await r.api.call('GET', path), 400, 'validation');
  });
});

describe('unknown and malformed ids', () => {
  const unknown = 'sess_zzzzzz';
  const sessionRoutes = (id: string): Array<[string, string, unknown?]> => [
    ['GET', `/sessions/${id}`],
    ['POST', `/sessions/${id}/switch`],
    ['POST', `/sessions/${id}/pause`],
    ['POST', `/sessions/${id}/resume`],
    ['POST', `/sessions/${id}/end`],
    ['POST', `/sessions/${id}/recover`],
    ['GET', `/sessions/${id}/summary`],
    ['GET', `/sessions/${id}/events`],
    ['GET', `/sessions/${id}/events/stream`],
    ['GET', `/sessions/${id}/files?path=README.md`],
    ['PUT', `/sessions/${id}/files?path=README.md`, 'content'],
    ['PUT', `/sessions/${id}/plan`, { plan: 'x' }],
    ['GET', `/sessions/${id}/memory`],
  ];

  it('an unknown session id → 404 session-not-found on every session route, nothing changed', async () => {
    const before = await r.snapshot();
    for (const [method, path, body] of sessionRoutes(unknown)) {
      const reply = await r.api.call(method, path, body);
      expectProblem(reply, 404, 'session-not-found', `${method} ${path}`);
      expect(reply.json.detail).toContain(unknown);
    }
    expect(await r.snapshot()).toEqual(before);
  });

  it.each(['sess_ABCDEF', 'sess_abc', 'sess_abcdefg', 'abcdef', 'sess_abc%2F..', "sess_a'b;--"])(
    'a malformed session id (%s) → 400 validation on every session route',
    async (id) => {
      for (const [method, path, body] of sessionRoutes(id)) {
        expectProblem(await r.api.call(method, path, body), 400, 'validation', `${method} ${path}`);
      }
    },
  );

  it('a session of an unknown project → 404 project-not-found naming the fix, nothing changed', async () => {
    const before = await r.snapshot();
    const create = await r.api.call('POST', '/sessions', { project: 'nope' });
    expectProblem(create, 404, 'project-not-found');
    expect(create.json.detail).toContain('tevis project create nope');
    expect(await r.snapshot()).toEqual(before);
  });

  it('an unknown route → 404 not-found', async () => {
    expectProblem(await r.api.call('GET', '/sessions/sess_zzzzzz/nothing'), 404, 'not-found');
    expectProblem(await r.api.call('DELETE', '/projects/alpha'), 404, 'not-found');
  });
});

describe('invalid branch names', () => {
  const branches = [
    '-x',
    '--help',
    '--upload-pack=x',
    'a..b',
    'x.lock',
    'feature/x.lock',
    'a b',
    '@{x}',
    '@',
    'a/',
    '/a',
    'a//b',
    '.hidden',
    'a/.b',
    'a~1',
    'a^',
    'a:b',
    'a?',
    'a*',
    'a[b',
    'a\\b',
    'a.',
    'a\tb',
    '',
    'x'.repeat(201),
  ];

  it.each(branches.map((b) => [JSON.stringify(b).slice(0, 40), b]))(
    '%s → 400 on project create, update and session create, nothing changed',
    async (_label, branch) => {
      const before = await r.snapshot();
      expectProblem(
        await r.api.call('POST', '/projects', {
          name: 'evil',
          repository: '/tmp/r.git',
          defaultBranch: branch,
        }),
        400,
        'validation',
        'project create',
      );
      expectProblem(
        await r.api.call('PATCH', '/projects/alpha', { defaultBranch: branch }),
        400,
        'validation',
        'project update',
      );
      const session = await r.api.call('POST', '/sessions', { project: 'alpha', branch });
      expectProblem(session, 400, 'validation', 'session create');
      expect(session.json.detail).toMatch(/branch/);
      for (const type of ['review', 'planning']) {
        expectProblem(
          await r.api.call('POST', '/sessions', { project: 'alpha', type, branch }),
          400,
          'validation',
          `${type} session create`,
        );
      }
      expect(await r.snapshot()).toEqual(before);
    },
  );
});
