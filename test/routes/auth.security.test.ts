import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPE_PREFIX } from '../../contracts/problems.js';
import { findSessionStatus } from '../../db/sessions-store.js';
import { startRouteApp, type RouteApp } from '../support/route-app.js';

/**
 * The API token (api/auth.ts) on every route of the real app, in process on a real database:
 * without it, with a wrong one or in another scheme every route but /health and the static pages
 * answers 401 problem+json, and nothing the refused request asked for happens.
 */

let r: RouteApp;
let sessionId = '';
let workspace = '';
let routes: Array<{ method: string; path: string }> = [];

beforeAll(async () => {
  r = await startRouteApp();
  await r.seedProject('auth');
  ({ id: sessionId, workspace } = await r.seedSession({ project: 'auth' }));
  const doc = await r.api.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json');
  expect(doc.status).toBe(200);
  routes = Object.entries(doc.json.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => ({
      method: method.toUpperCase(),
      path: path.replace('{id}', sessionId).replace('{name}', 'auth'),
    })),
  );
  // The routes outside the OpenAPI document, and one that does not exist. (The reference page
  // and its files are static, like Mission Control's, and need no token.)
  routes.push(
    { method: 'GET', path: '/openapi.json' },
    { method: 'GET', path: '/no/such/route' },
    { method: 'DELETE', path: `/sessions/${sessionId}` },
  );
});

afterAll(async () => {
  await r?.close();
});

describe('the API token', () => {
  it('the document lists every route the issue names', () => {
    const listed = routes.map((route) => `${route.method} ${route.path.replace(sessionId, ':id')}`);
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
    const reply = await r.api.call('GET', '/health', undefined, { token: null });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ status: 'ok' });
  });

  it('every other route answers 401 problem+json without the token, with a wrong one, or with another scheme', async () => {
    const wrong = randomBytes(24).toString('base64url'); // same length and alphabet as a real one
    const attempts: Array<[string, Record<string, string>, string | null]> = [
      ['no token', {}, null],
      ['wrong token', {}, wrong],
      ['empty bearer', { authorization: 'Bearer ' }, null],
      [
        'basic scheme',
        { authorization: `Basic ${Buffer.from(`tevis:${r.token}`).toString('base64')}` },
        null,
      ],
      ['token without scheme', { authorization: r.token }, null],
      ['token with a suffix', {}, `${r.token}x`],
      ['wrong cookie', { cookie: `tevis_token=${wrong}` }, null],
      // The browser credential of old: the API takes the bearer header only.
      ['the right token as a cookie', { cookie: `tevis_token=${r.token}` }, null],
    ];
    const before = await r.snapshot();
    const checked: string[] = [];
    for (const route of routes) {
      if (route.path === '/health') continue;
      for (const [what, headers, token] of attempts) {
        const body =
          route.method === 'GET'
            ? undefined
            : route.path.endsWith('/files')
              ? 'x'
              : { name: 'intruder', repository: '/tmp/r.git', project: 'auth', plan: 'x' };
        const reply = await r.api.call(route.method, route.path, body, { headers, token });
        expect({
          route: `${route.method} ${route.path}`,
          what,
          status: reply.status,
          type: reply.json?.type,
        }).toEqual({
          route: `${route.method} ${route.path}`,
          what,
          status: 401,
          type: `${PROBLEM_TYPE_PREFIX}unauthorized`,
        });
        expect(reply.contentType).toContain('application/problem+json');
        expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
        checked.push(`${route.method} ${route.path}`);
      }
    }
    expect(new Set(checked).size).toBeGreaterThanOrEqual(19);

    // Nothing the refused requests asked for happened: no project, no session change, no file,
    // no event.
    expect(await r.snapshot()).toEqual(before);
    expect(await findSessionStatus(r.database.db, sessionId)).toBe('active');
    expect(existsSync(join(workspace, 'x'))).toBe(false);
  });

  it('the right token works as a bearer header, in any case of the scheme', async () => {
    expect((await r.api.call('GET', '/projects')).status).toBe(200);
    expect(
      (
        await r.api.call('GET', '/projects', undefined, {
          token: null,
          headers: { authorization: `bearer ${r.token}` },
        })
      ).status,
    ).toBe(200);
  });

  it('/reference is a static page that sets no cookie, even given a ?token=', async () => {
    for (const path of ['/reference', `/reference?token=${encodeURIComponent(r.token)}`]) {
      const page = await r.api.call('GET', path, undefined, { token: null });
      expect(page.status).toBe(200);
      expect(page.headers.get('set-cookie')).toBeNull();
      expect(page.text).not.toContain(r.token);
    }
  });
});
