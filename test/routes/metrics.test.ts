import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPE_PREFIX } from '../../contracts/problems.js';
import { insertHoldPoint } from '../../db/hold-points-store.js';
import { saveNanocycle } from '../../db/nanocycles-store.js';
import { helpOf, parsePrometheusText, samplesBy } from '../support/prometheus-text.js';
import { startRouteApp, type RouteApp } from '../support/route-app.js';

/**
 * `GET /metrics` (api/routes/metrics.ts) on the real app in process, on a real database with
 * records seeded straight into it: behind the token, GET only, the record's counts as gauges and
 * the latency histogram labelled by route pattern. The same against a running stack, with the
 * records made by real sessions, is test/integration/metrics.test.ts.
 */

let r: RouteApp;
let other: RouteApp;
let activeId = '';

beforeAll(async () => {
  r = await startRouteApp();
  // A second app in the same process: each has a registry of its own, so this must not throw.
  other = await startRouteApp();
  await r.seedProject('metrics');
  await r.seedProject('metrics-2');
  ({ id: activeId } = await r.seedSession({ project: 'metrics', status: 'active' }));
  await r.seedSession({ project: 'metrics-2', status: 'paused' });
  await r.seedSession({ project: 'metrics-2', status: 'ended' });
  const nanocycle = { sessionId: activeId, goal: null, branch: 'feat/x' };
  await saveNanocycle(r.database.db, {
    ...nanocycle,
    id: 'NC-001',
    name: 'one',
    status: 'awaiting_approval',
    data: { tpuSeconds: 1.5 },
  });
  await saveNanocycle(r.database.db, {
    ...nanocycle,
    id: 'NC-002',
    name: 'two',
    status: 'merged',
    data: { tpuSeconds: 2.25 },
  });
  await insertHoldPoint(r.database.db, {
    sessionId: activeId,
    id: 'HP-001-merge',
    nanocycleId: 'NC-001',
    kind: 'merge',
    reason: 'review the merge',
    openedAt: new Date(Date.now() - 120_000).toISOString(),
  });
});

afterAll(async () => {
  await r?.close();
  await other?.close();
});

describe('GET /metrics', () => {
  it('needs the API token: none, a wrong one or another scheme is 401 problem+json', async () => {
    for (const token of [null, 'wrong-token']) {
      const reply = await r.api.call('GET', '/metrics', undefined, { token });
      expect(reply.status).toBe(401);
      expect(reply.json.type).toBe(`${PROBLEM_TYPE_PREFIX}unauthorized`);
      expect(reply.text).not.toContain('tevis_');
    }
    const basic = await r.api.call('GET', '/metrics', undefined, {
      token: null,
      headers: { authorization: `Basic ${Buffer.from(`x:${r.token}`).toString('base64')}` },
    });
    expect(basic.status).toBe(401);
    expect((await r.api.call('GET', '/metrics')).status).toBe(200);
  });

  it('answers GET only: any other method is 404 problem+json and no metrics', async () => {
    expect((await r.api.call('GET', '/metrics')).status).toBe(200);
    expect((await r.api.call('HEAD', '/metrics')).status).toBe(200);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const reply = await r.api.call(method, '/metrics', method === 'DELETE' ? undefined : {});
      expect(reply.status, method).toBe(404);
      expect(reply.json.type).toBe(`${PROBLEM_TYPE_PREFIX}not-found`);
    }
  });

  it('serves Prometheus text: the record by status and kind, TPU seconds and the process', async () => {
    const reply = await r.api.call('GET', '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parsePrometheusText(reply.text);
    expect(samplesBy(samples, 'tevis_sessions', 'status')).toEqual({
      starting: 0,
      active: 1,
      paused: 1,
      ending: 0,
      ended: 1,
      failed: 0,
    });
    expect(samplesBy(samples, 'tevis_nanocycles', 'status')).toMatchObject({
      awaiting_approval: 1,
      merged: 1,
      running: 0,
      queued: 0,
    });
    expect(samplesBy(samples, 'tevis_hold_points_waiting', 'kind')).toEqual({
      plan: 0,
      merge: 1,
      agent: 0,
      conflict: 0,
    });
    const ages = samplesBy(samples, 'tevis_hold_point_oldest_wait_seconds', 'kind');
    expect(Object.keys(ages)).toEqual(['merge']);
    expect(ages.merge).toBeGreaterThanOrEqual(119);
    expect(samples.find((s) => s.name === 'tevis_tpu_seconds_total')?.value).toBe(3.75);
    expect(samples.some((s) => s.name === 'process_cpu_seconds_total')).toBe(true);
    expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    for (const name of [
      'tevis_sessions',
      'tevis_nanocycles',
      'tevis_hold_points_waiting',
      'tevis_hold_point_oldest_wait_seconds',
      'tevis_tpu_seconds_total',
      'tevis_http_request_duration_seconds',
    ])
      expect(helpOf(reply.text, name), name).toMatch(/\w+ \w+/);
  });

  it('times requests by route pattern, refusals and unmatched paths too, never by raw path', async () => {
    await r.api.call('GET', `/sessions/${activeId}`);
    await r.api.call('GET', `/sessions/${activeId}/events`, undefined, { token: null });
    await r.api.call('GET', `/no/such/${activeId}`);
    const reply = await r.api.call('GET', '/metrics');
    const counts = parsePrometheusText(reply.text).filter(
      (s) => s.name === 'tevis_http_request_duration_seconds_count',
    );
    const series = counts.map((s) => `${s.labels.method} ${s.labels.route} ${s.labels.status}`);
    expect(series).toEqual(
      expect.arrayContaining([
        'GET /sessions/:id 200',
        'GET /sessions/:id/events 401',
        'GET unmatched 404',
        'GET /metrics 200',
      ]),
    );
    expect(reply.text).not.toContain(activeId);
    // The other app in this process counts its own requests only.
    const elsewhere = await other.api.call('GET', '/metrics');
    expect(elsewhere.text).not.toContain('route="/sessions/:id"');
  });
});
