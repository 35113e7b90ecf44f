import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBLEM_TYPE_PREFIX } from '../../contracts/problems.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { events, holdPoints, nanocycles, sessions } from '../../db/schema.js';
import { SEARCH_ATTRIBUTES } from '../../runtime/run-parts.js';
import { startTemporalDevServer, type RunningDevServer } from '../../runtime/temporal-dev-server.js';
import { describeRun, runCli } from '../support/cli-run.js';
import { type GitFixture, makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { cleanEnv, ProcessSet } from '../support/processes.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';
import { freeLoopbackPort } from '../support/free-port.js';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.js';

/**
 * Outages answered honestly: with the database or Temporal gone, the API answers 503 with a
 * stable type and Retry-After, in seconds, and the record shows that nothing happened. The test
 * has its own Postgres cluster and Temporal dev server, since it stops them.
 */

/** Against a hang only: the old answer to a Temporal outage took about 20 s. */
const ANSWER_WITHIN_MS = 15_000;

let cluster: PostgresCluster;
let temporal: RunningDevServer;
let temporalPort: number;
let h: Harness;
let fx: GitFixture;
let scratch: string;
let sessionId: string;
const processes = new ProcessSet();

const startTemporal = () =>
  startTemporalDevServer({
    cliPath: inject('temporalCliPath'),
    port: temporalPort,
    headless: true,
    searchAttributes: SEARCH_ATTRIBUTES,
    logFile: join(scratch, `temporal-${Date.now()}.log`),
  });

/** One request that must answer before ANSWER_WITHIN_MS: a hang fails the test instead of passing late. */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(h.apiUrl + path, {
    method,
    headers: {
      authorization: `Bearer ${h.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text ? JSON.parse(text) : undefined,
  };
}

function expectUnavailable(
  reply: Awaited<ReturnType<typeof call>>,
  type: 'database-unavailable' | 'temporal-unavailable',
) {
  expect({ status: reply.status, body: reply.text }).toMatchObject({ status: 503 });
  expect(reply.headers.get('content-type')).toContain('application/problem+json');
  expect(reply.json).toMatchObject({
    type: PROBLEM_TYPE_PREFIX + type,
    status: 503,
    service: type === 'database-unavailable' ? 'database' : 'temporal',
    detail: expect.stringContaining('safe to send the request again'),
  });
  expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
}

/** Everything the record holds about the test's sessions, to compare before and after. */
async function record() {
  const db = h.database.db;
  return {
    sessions: (
      await db.select({ id: sessions.id, status: sessions.status, project: sessions.project }).from(sessions)
    ).sort((a, b) => a.id.localeCompare(b.id)),
    events: (await db.select({ id: events.id }).from(events)).length,
    nanocycles: (await db.select({ id: nanocycles.id, status: nanocycles.status }).from(nanocycles)).length,
    holds: await db.select({ id: holdPoints.id, status: holdPoints.status }).from(holdPoints),
  };
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tevis-outages-'));
  temporalPort = await freeLoopbackPort();
  [cluster, temporal, fx] = await Promise.all([
    startPostgresCluster(),
    startTemporal(),
    makeGitFixture(join(scratch, 'git')),
  ]);
  h = await startHarness({
    database: 'postgres',
    label: 'outages',
    postgresServerUrl: cluster.url,
    temporalAddress: temporal.address,
  });
  await createProject(h, { name: 'outages', repository: fx.remote });
  await createProject(h, { name: 'outages-other', repository: fx.remote });
  sessionId = (await createActiveSession(h, { project: 'outages' })).session.id;
});

afterAll(async () => {
  await processes.killAll();
  // The worker shuts down cleanly only with a Temporal to talk to.
  await startTemporal()
    .then((server) => (temporal = server))
    .catch(() => {});
  await cluster?.up().catch(() => {});
  await h?.stop();
  await temporal?.stop();
  await cluster?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('the database is down', () => {
  it('reads and writes answer 503 database-unavailable with Retry-After; a write retried with its key once it is back runs (a 503 is not kept)', async () => {
    await cluster.down();
    try {
      expectUnavailable(await call('GET', `/sessions/${sessionId}`), 'database-unavailable');
      expectUnavailable(await call('GET', '/projects'), 'database-unavailable');
      // The API itself is alive, and says what is not.
      expect((await call('GET', '/health')).status).toBe(200);
      expect((await call('GET', '/status')).json).toMatchObject({
        status: 'degraded',
        services: { database: { status: 'unavailable' } },
      });
      const key = randomUUID();
      const pause = await call('POST', `/sessions/${sessionId}/pause`, undefined, { 'Idempotency-Key': key });
      expectUnavailable(pause, 'database-unavailable');
      expect(pause.json.detail).toContain('database');

      await cluster.up();
      // The pool reconnects by itself; the same request with the same key now runs.
      const again = await waitFor('the API to reach the database again', async () => {
        const reply = await call('POST', `/sessions/${sessionId}/pause`, undefined, {
          'Idempotency-Key': key,
        });
        return reply.status === 503 ? undefined : reply;
      });
      expect({ status: again.status, body: again.text }).toMatchObject({ status: 200 });
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      expect(again.json.status).toBe('paused');
      const resumed = await call('POST', `/sessions/${sessionId}/resume`);
      expect(resumed.status).toBe(200);
    } finally {
      await cluster.up().catch(() => {});
    }
  });
});

describe('Temporal is down', () => {
  let holdId: string;

  beforeAll(async () => {
    // A hold point to answer during the outage: a nanocycle waiting at its plan hold point.
    const nc = await call('POST', `/sessions/${sessionId}/nanocycles`, {
      name: 'planned',
      run: ['true'],
      hold: { plan: true },
    });
    expect(nc.status).toBe(201);
    holdId = await waitFor('the plan hold point', async () => {
      const holds = await call('GET', `/sessions/${sessionId}/holds`);
      return holds.json.holdPoints.find(
        (hp: { status: string; kind: string }) => hp.status === 'pending' && hp.kind === 'plan',
      )?.id;
    });
    await temporal.stop();
  });

  it('a session create answers 503 temporal-unavailable and leaves no session and no event', async () => {
    const before = await record();
    const reply = await call('POST', '/sessions', { project: 'outages-other' });
    expectUnavailable(reply, 'temporal-unavailable');
    expect(reply.json.detail).toContain('nothing was changed');
    expect(await record()).toEqual(before);
    expect(before.sessions.filter((s) => s.project === 'outages-other')).toEqual([]);
  });

  it('pause, resume, end, a new nanocycle and a hold-point answer each answer 503 and change nothing', async () => {
    const before = await record();
    expect(before.sessions.find((s) => s.id === sessionId)?.status).toBe('active');
    const commands: Array<[string, unknown?]> = [
      [`/sessions/${sessionId}/pause`],
      [`/sessions/${sessionId}/resume`],
      [`/sessions/${sessionId}/end`],
      [`/sessions/${sessionId}/nanocycles`, { name: 'during-outage', run: ['true'] }],
      [`/sessions/${sessionId}/holds/${holdId}/approve`, { comment: 'go' }],
    ];
    for (const [path, body] of commands) {
      expectUnavailable(
        await call('POST', path, body, { 'Idempotency-Key': randomUUID() }),
        'temporal-unavailable',
      );
    }
    expect(await record()).toEqual(before);
  });

  it('the CLI tries again with the same key, then exits 5 naming Temporal and saying a retry is safe; `tevis status` names it too', async () => {
    const before = await record();
    const env = cleanEnv({ TEVIS_HOME: h.home, TEVIS_API_URL: h.apiUrl, TEVIS_API_TOKEN: h.token });
    const end = await runCli(processes, ['session', 'end', sessionId, '--json'], env);
    expect({ code: end.code, run: describeRun(end) }).toMatchObject({ code: 5 });
    expect(end.json.error).toMatchObject({ type: 'temporal-unavailable', status: 503 });
    expect(end.stderr).toContain('Temporal is unavailable');
    expect(end.stderr).toContain('tried 3 times; it is safe to run the command again');
    expect(await record()).toEqual(before);

    const status = await runCli(processes, ['status'], env);
    expect({ code: status.code, run: describeRun(status) }).toMatchObject({ code: 5 });
    expect(status.stdout.toLowerCase()).toMatch(/temporal\s+unavailable/);
  });

  it('GET /status says Temporal is unavailable', async () => {
    const reply = await call('GET', '/status');
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      status: 'degraded',
      services: { temporal: { status: 'unavailable' }, database: { status: 'ok' } },
    });
  });
});
