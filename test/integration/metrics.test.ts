import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPE_PREFIX } from '../../contracts/problems.js';
import { makeGitFixture } from '../support/git-fixtures.js';
import { parsePrometheusText, samplesBy } from '../support/prometheus-text.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * `GET /metrics` on the whole stack (API, real worker, Postgres, the Temporal dev server, the
 * sandbox executor): what real sessions leave in the record is what a scrape reports, and the
 * latency histogram names routes by pattern. The same route on seeded records, its token and its
 * methods, is test/routes/metrics.test.ts; the worker's own metrics are worker-metrics.test.ts.
 */
let h: Harness;
let remote = '';

beforeAll(async () => {
  h = await startHarness({ database: 'postgres', label: 'metrics' });
  remote = (await makeGitFixture(join(h.home, 'fixture'))).remote;
});
afterAll(async () => {
  await h?.stop();
});

describe('/metrics on a running stack', () => {
  it('reports the sessions, nanocycles, waiting hold points and TPU seconds real work left', async () => {
    await createProject(h, { name: 'observed', repository: remote });
    const paused = (await createActiveSession(h, { project: 'observed' })).session.id;
    expect((await h.call('POST', `/sessions/${paused}/pause`)).json.status).toBe('paused');
    const active = (await createActiveSession(h, { project: 'observed' })).session.id;
    const created = await h.call('POST', `/sessions/${active}/nanocycles`, {
      name: 'observed',
      run: ['printf "hi\\n" > OBSERVED.md'],
    });
    expect(created.status).toBe(201);
    const hold = await h.api.waitForPendingHold(active, 'merge');
    const nanocycle = await h.api.waitForNanocycle(active, hold.nanocycleId!, ['awaiting_approval']);

    const reply = await h.call('GET', '/metrics');
    expect(reply.status).toBe(200);
    const samples = parsePrometheusText(reply.text);
    expect(samplesBy(samples, 'tevis_sessions', 'status')).toEqual({
      starting: 0,
      active: 1,
      paused: 1,
      ending: 0,
      ended: 0,
      failed: 0,
    });
    const nanocycles = samplesBy(samples, 'tevis_nanocycles', 'status');
    expect(Object.entries(nanocycles).filter(([, count]) => count > 0)).toEqual([['awaiting_approval', 1]]);
    expect(samplesBy(samples, 'tevis_hold_points_waiting', 'kind')).toEqual({
      plan: 0,
      merge: 1,
      agent: 0,
      conflict: 0,
    });
    const ages = samplesBy(samples, 'tevis_hold_point_oldest_wait_seconds', 'kind');
    expect(Object.keys(ages)).toEqual(['merge']);
    expect(ages.merge).toBeGreaterThanOrEqual(0);
    const tpuSeconds = samples.find((s) => s.name === 'tevis_tpu_seconds_total')?.value;
    expect(nanocycle.data.tpuSeconds).toBeGreaterThan(0);
    expect(tpuSeconds).toBeCloseTo(nanocycle.data.tpuSeconds!, 6);
  });

  it('times requests by route pattern: /sessions/:id has a series, no label holds a session id', async () => {
    const listed = (await h.call('GET', '/sessions')).json.sessions as Array<{ id: string }>;
    expect(listed.length).toBeGreaterThan(0);
    for (const { id } of listed) expect((await h.call('GET', `/sessions/${id}`)).status).toBe(200);
    const text = (await h.call('GET', '/metrics')).text;
    const routes = parsePrometheusText(text)
      .filter((s) => s.name === 'tevis_http_request_duration_seconds_count')
      .map((s) => s.labels.route);
    expect(routes).toContain('/sessions/:id');
    for (const { id } of listed) expect(text).not.toContain(id);
  });

  it('is refused without the token: 401 problem+json, no metrics; with it, the metrics', async () => {
    expect((await h.call('GET', '/metrics')).status).toBe(200);
    const reply = await h.call('GET', '/metrics', undefined, { token: null });
    expect(reply.status).toBe(401);
    expect(reply.json.type).toBe(`${PROBLEM_TYPE_PREFIX}unauthorized`);
    expect(reply.text).not.toContain('tevis_sessions');
  });
});
