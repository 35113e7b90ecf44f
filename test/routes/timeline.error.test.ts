import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../support/expect-problem.js';
import { startRouteApp, type RouteApp } from '../support/route-app.js';

/**
 * Bad cursors and bounds on the timeline and output routes (api/routes/timeline.ts,
 * api/routes/session-output.ts), in process on a real database: a 400 at once, never a stream.
 */

let r: RouteApp;
let dev = '';
const INT4_MAX = 2 ** 31 - 1;

beforeAll(async () => {
  r = await startRouteApp();
  await r.seedProject('alpha');
  ({ id: dev } = await r.seedSession({ project: 'alpha' }));
});

afterAll(async () => {
  await r?.close();
});

describe('the timeline', () => {
  it.each([String(INT4_MAX + 1), '99999999999999999999', '1e300', '-1', '1.5'])(
    'after=%s → 400, and the largest int4 is fine',
    async (after) => {
      for (const path of [`/sessions/${dev}/events`, `/sessions/${dev}/events/stream`])
        expectProblem(await r.api.call('GET', `${path}?after=${after}`), 400, 'validation', path);
      const largest = await r.api.call('GET', `/sessions/${dev}/events?after=${INT4_MAX}`);
      expect(largest.status).toBe(200);
      expect(largest.json.events).toEqual([]);
    },
  );

  it.each([String(INT4_MAX + 1), '99999999999999999999'])(
    'Last-Event-ID %s on the timeline stream → 400, not a stream',
    async (id) => {
      expectProblem(
        await r.api.call('GET', `/sessions/${dev}/events/stream`, undefined, {
          headers: { 'last-event-id': id },
        }),
        400,
        'validation',
      );
    },
  );

  it('limit beyond its bound → 400', async () => {
    for (const limit of ['0', '1001', String(INT4_MAX + 1)])
      expectProblem(
        await r.api.call('GET', `/sessions/${dev}/events?limit=${limit}`),
        400,
        'validation',
        limit,
      );
  });
});

describe('the session output', () => {
  it.each([
    `NC-001:${INT4_MAX + 1}`,
    'NC-001:99999999999999999999',
    `NC-001:1,NC-002:${INT4_MAX + 1}`,
    'garbage',
  ])('an output cursor %s → 400, as ?after= and as Last-Event-ID', async (cursor) => {
    expectProblem(
      await r.api.call('GET', `/sessions/${dev}/output?after=${encodeURIComponent(cursor)}`),
      400,
      'validation',
    );
    expectProblem(
      await r.api.call('GET', `/sessions/${dev}/output/stream`, undefined, {
        headers: { 'last-event-id': cursor },
      }),
      400,
      'validation',
    );
  });

  it('the largest int4 in a cursor is fine', async () => {
    const reply = await r.api.call(
      'GET',
      `/sessions/${dev}/output?after=${encodeURIComponent(`NC-001:${INT4_MAX}`)}`,
    );
    expect(reply.status).toBe(200);
  });
});
