import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../support/expect-problem.js';
import { startRouteApp, type RouteApp } from '../support/route-app.js';

/**
 * Bad input to the plan route (api/routes/plans.ts), in process on a real database: each gets a
 * 400 problem+json before the session's workflow is asked, and no plan is drafted.
 */

let r: RouteApp;
let id = '';

beforeAll(async () => {
  r = await startRouteApp();
  await r.seedProject('gamma');
  ({ id } = await r.seedSession({ project: 'gamma', type: 'planning' }));
});

afterAll(async () => {
  await r?.close();
});

describe('malformed plan bodies', () => {
  it.each([
    ['truncated JSON', '{"plan": "x",', 'application/json'],
    ['a JSON array', '["x"]', 'application/json'],
    ['plan not a string', '{"plan": 5}', 'application/json'],
    ['an unknown field', '{"plan": "x", "owner": "me"}', 'application/json'],
    ['an empty body', '', 'application/json'],
  ])('PUT /plan with %s → 400, no plan drafted', async (_what, body, contentType) => {
    const before = await r.snapshot();
    expectProblem(await r.api.call('PUT', `/sessions/${id}/plan`, body, { contentType }), 400, 'validation');
    expect(await r.snapshot()).toEqual(before);
  });

  it('a plan for a development session → 403 capability-not-allowed, no plan drafted', async () => {
    await r.seedProject('delta');
    const dev = await r.seedSession({ project: 'delta' });
    const before = await r.snapshot();
    expectProblem(
      await r.api.call('PUT', `/sessions/${dev.id}/plan`, { plan: '# Plan' }),
      403,
      'capability-not-allowed',
    );
    expect(await r.snapshot()).toEqual(before);
  });
});
