import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../support/expect-problem.js';
import { startRouteApp, type RouteApp } from '../support/route-app.js';

/**
 * Bad input to the nanocycle and hold-point routes (api/routes/nanocycles.ts), in process on a
 * real database: each is refused with its stable type before the session's workflow is asked,
 * and nothing is queued.
 */

let r: RouteApp;
let dev = '';

beforeAll(async () => {
  r = await startRouteApp();
  await r.seedProject('alpha');
  ({ id: dev } = await r.seedSession({ project: 'alpha' }));
});

afterAll(async () => {
  await r?.close();
});

describe('nanocycle create', () => {
  it.each([
    ['truncated JSON', '{"name": "x",'],
    ['a JSON array', '[]'],
    ['an unknown field', '{"name": "x", "run": ["true"], "sudo": true}'],
    ['run not a list', '{"name": "x", "run": "true"}'],
    ['an empty run step', '{"name": "x", "run": [""]}'],
    ['a name with spaces', '{"name": "two words", "run": ["true"]}'],
    ['an unknown hold', '{"name": "x", "run": ["true"], "hold": {"deploy": true}}'],
    ['51 run steps', JSON.stringify({ name: 'x', run: Array.from({ length: 51 }, () => 'true') })],
  ])('%s → 400 validation, nothing queued', async (_what, body) => {
    const before = await r.snapshot();
    expectProblem(
      await r.api.call('POST', `/sessions/${dev}/nanocycles`, body, { contentType: 'application/json' }),
      400,
      'validation',
    );
    expect(await r.snapshot()).toEqual(before);
  });

  it.each(['review', 'planning'] as const)(
    'a %s session → 403 capability-not-allowed, nothing queued',
    async (type) => {
      await r.seedProject(`only-${type}`);
      const { id } = await r.seedSession({ project: `only-${type}`, type, branch: 'feature/x' });
      const before = await r.snapshot();
      expectProblem(
        await r.api.call('POST', `/sessions/${id}/nanocycles`, { name: 'x', run: ['true'] }),
        403,
        'capability-not-allowed',
      );
      expect(await r.snapshot()).toEqual(before);
    },
  );

  it('an ended session → 409 invalid-transition, nothing queued', async () => {
    await r.seedProject('ended');
    const { id } = await r.seedSession({ project: 'ended', status: 'ended' });
    const before = await r.snapshot();
    expectProblem(
      await r.api.call('POST', `/sessions/${id}/nanocycles`, { name: 'x', run: ['true'] }),
      409,
      'invalid-transition',
    );
    expect(await r.snapshot()).toEqual(before);
  });
});

describe('nanocycle and hold-point ids', () => {
  it('an unknown nanocycle → 404 not-found naming it', async () => {
    for (const path of [
      `/sessions/${dev}/nanocycles/NC-999/logs`,
      `/sessions/${dev}/nanocycles/NC-999/diff`,
    ]) {
      const reply = await r.api.call('GET', path);
      expectProblem(reply, 404, 'not-found', path);
      expect(reply.json.detail).toContain('NC-999');
    }
  });

  it.each(['nc-1', 'NC-1', 'NC-00a', 'NC-001;rm', '..'])(
    'a malformed nanocycle id (%s) is refused on every nanocycle route',
    async (nc) => {
      for (const [method, path] of [
        ['GET', `/sessions/${dev}/nanocycles/${encodeURIComponent(nc)}/logs`],
        ['GET', `/sessions/${dev}/nanocycles/${encodeURIComponent(nc)}/diff`],
        ['POST', `/sessions/${dev}/nanocycles/${encodeURIComponent(nc)}/cancel`],
        ['POST', `/sessions/${dev}/nanocycles/${encodeURIComponent(nc)}/merge`],
      ] as const) {
        const reply = await r.api.call(method, path);
        // `..` is resolved by the URL before routing and names no route at all.
        if (nc === '..') expect({ path, status: reply.status }).toMatchObject({ path, status: 404 });
        else expectProblem(reply, 400, 'validation', `${method} ${path}`);
      }
    },
  );

  it('an unknown session → 404 session-not-found on the nanocycle routes', async () => {
    for (const [method, path, body] of [
      ['POST', '/sessions/sess_zzzzzz/nanocycles', { name: 'x', run: ['true'] }],
      ['GET', '/sessions/sess_zzzzzz/nanocycles', undefined],
      ['GET', '/sessions/sess_zzzzzz/holds', undefined],
      ['GET', '/sessions/sess_zzzzzz/nanocycles/NC-001/diff', undefined],
      ['GET', '/sessions/sess_zzzzzz/nanocycles/NC-001/logs', undefined],
      ['GET', '/sessions/sess_zzzzzz/nanocycles/NC-001/logs/stream', undefined],
    ] as const) {
      expectProblem(await r.api.call(method, path, body), 404, 'session-not-found', `${method} ${path}`);
    }
  });
});

describe('log cursors', () => {
  const INT4_MAX = 2 ** 31 - 1;

  it.each([String(INT4_MAX + 1), '99999999999999999999', '1e300', '-1', '1.5'])(
    'after=%s on the logs → 400',
    async (after) => {
      for (const path of [
        `/sessions/${dev}/nanocycles/NC-001/logs`,
        `/sessions/${dev}/nanocycles/NC-001/logs/stream`,
      ])
        expectProblem(await r.api.call('GET', `${path}?after=${after}`), 400, 'validation', path);
    },
  );
});
