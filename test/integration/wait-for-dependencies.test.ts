import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SEARCH_ATTRIBUTES } from '../../runtime/run-parts.js';
import { type RunningDevServer, startTemporalDevServer } from '../../runtime/temporal-dev-server.js';
import { ApiClient } from '../support/api-client.js';
import { describeRun, runCli } from '../support/cli-run.js';
import { type DockerEngine, startDockerEngine } from '../support/docker-engine.js';
import { freeLoopbackPort } from '../support/free-port.js';
import { type GitFixture, makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.js';
import { cleanEnv, type ManagedProcess, ProcessSet } from '../support/processes.js';

/**
 * `tevis worker` and `tevis api` started before their services (as a compose file or a reboot
 * starts them) wait for Postgres and Temporal, say so, and serve once both are up; a bound on the
 * wait, a wrong password and a malformed setting end the start with exit 5. The file has its own
 * Postgres cluster (with a password, so a wrong one is refused) and its own Temporal dev server,
 * since it starts them late.
 */

const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;

let scratch: string;
let cluster: PostgresCluster;
let temporal: RunningDevServer | undefined;
let temporalPort: number;
let fx: GitFixture;
let postgresUp = false;
const processes = new ProcessSet();
const token = randomBytes(24).toString('base64url');
const codecKey = randomBytes(32).toString('base64');
const taskQueue = `tevis-wait-${randomBytes(4).toString('hex')}`;

function env(home: string, extra: Record<string, string | undefined> = {}) {
  return cleanEnv({
    TEVIS_HOME: join(scratch, home),
    DATABASE_URL: cluster.url,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEVIS_TASK_QUEUE: taskQueue,
    TEVIS_API_TOKEN: token,
    TEVIS_TEMPORAL_CODEC_KEY: codecKey,
    // No engine to wait for: this file is about Postgres and Temporal.
    TEVIS_TPU_EXECUTOR: 'none',
    ...extra,
  });
}

const startTemporal = () =>
  startTemporalDevServer({
    cliPath: inject('temporalCliPath'),
    port: temporalPort,
    headless: true,
    searchAttributes: SEARCH_ATTRIBUTES,
    logFile: join(scratch, 'temporal.log'),
  });

/** For the tests after the one that brings them up, so each also runs alone (`-t`). */
async function servicesUp() {
  if (!postgresUp) {
    await cluster.up();
    postgresUp = true;
  }
  temporal ??= await startTemporal();
}

const postgresAt = () => `127.0.0.1:${cluster.port}`;
const waitLines = (p: ManagedProcess, what: string) =>
  p
    .output()
    .split('\n')
    .filter((line) => line.startsWith(`tevis: waiting for ${what}`));

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tevis-wait-'));
  temporalPort = await freeLoopbackPort();
  [cluster, fx] = await Promise.all([
    startPostgresCluster({ password: PASSWORD }),
    makeGitFixture(join(scratch, 'git')),
  ]);
  await cluster.down();
});

afterAll(async () => {
  await processes.killAll();
  await temporal?.stop();
  await cluster?.stop().catch(() => {});
  await rm(scratch, { recursive: true, force: true });
});

describe('what ends the start at once', () => {
  it('TEVIS_WAIT_FOR_DEPENDENCIES_SECONDS bounds the wait: exit 5 naming Postgres and why', async () => {
    const run = await runCli(
      processes,
      ['worker'],
      env('bounded', { TEVIS_WAIT_FOR_DEPENDENCIES_SECONDS: '2' }),
    );
    expect({ code: run.code, run: describeRun(run) }).toMatchObject({ code: 5 });
    expect(run.stderr).toContain(
      `tevis: tevis worker could not start: Postgres at ${postgresAt()} is unreachable after waiting 2 s (connect ECONNREFUSED ${postgresAt()}); TEVIS_WAIT_FOR_DEPENDENCIES_SECONDS bounds the wait`,
    );
    expect(run.stderr).toContain(`tevis: waiting for Postgres at ${postgresAt()} (connect ECONNREFUSED`);
    expect(run.stderr + run.stdout).not.toContain(PASSWORD);
  });

  it('0 tries once, as before, with the same message', async () => {
    const run = await runCli(processes, ['api'], env('once', { TEVIS_WAIT_FOR_DEPENDENCIES_SECONDS: '0' }));
    expect({ code: run.code, run: describeRun(run) }).toMatchObject({ code: 5 });
    expect(run.stderr).toContain(
      `tevis: tevis api could not start: Postgres at ${postgresAt()} is unreachable (connect ECONNREFUSED`,
    );
    expect(run.stderr).not.toContain('waiting for');
  });

  it('a DATABASE_URL that is not a Postgres URL: exit 5 naming the fix, with no wait', async () => {
    const run = await runCli(
      processes,
      ['worker'],
      env('malformed', { DATABASE_URL: `mysql://u:${PASSWORD}@h/db` }),
    );
    expect({ code: run.code, run: describeRun(run) }).toMatchObject({ code: 5 });
    expect(run.stderr).toContain(
      'DATABASE_URL is not a Postgres URL; set it as postgres://USER:PASSWORD@HOST:5432/DATABASE',
    );
    expect(run.stderr).not.toContain(PASSWORD);
  });

  it('SIGTERM while waiting stops the worker at once with exit 0; SIGINT stops the API the same way', async () => {
    for (const [part, signal] of [
      ['worker', 'SIGTERM'],
      ['api', 'SIGINT'],
    ] as const) {
      const p = processes.spawnTevis(`waiting ${part}`, part, env(`signal-${part}`));
      await waitFor(`${part} to say it waits for Postgres`, () => waitLines(p, 'Postgres').length > 0, {
        alive: [p],
      });
      const exit = await p.stop(signal);
      expect({ exit, output: p.describe() }).toMatchObject({ exit: { code: 0, signal: null } });
      expect(p.output()).toContain('tevis: stopped');
    }
  });
});

describe('a worker and an API started before Postgres and Temporal', () => {
  it('wait, saying for what and why, then serve: /health answers and a session becomes active', async () => {
    const apiPort = await freeLoopbackPort();
    const worker = processes.spawnTevis('worker', 'worker', env('worker'));
    const api = processes.spawnTevis('api', 'api', env('api', { TEVIS_PORT: String(apiPort) }));
    const both = [worker, api];
    // Two tries each, with a gap between: they wait instead of exiting.
    for (const p of both) {
      await waitFor(`${p.name} to try Postgres twice`, () => waitLines(p, 'Postgres').length >= 2, {
        alive: both,
      });
      expect(waitLines(p, 'Postgres')[0]).toMatch(
        new RegExp(
          `^tevis: waiting for Postgres at ${postgresAt()} \\(connect ECONNREFUSED [^)]*\\); next try in \\d+ s$`,
        ),
      );
      expect(p.output()).not.toContain(PASSWORD);
    }

    await cluster.up();
    postgresUp = true;
    for (const p of both) {
      await waitFor(
        `${p.name} to reach Postgres, then wait for Temporal`,
        () => p.output().includes('tevis: Postgres is up') && waitLines(p, 'Temporal').length > 0,
        { alive: both },
      );
      expect(waitLines(p, 'Temporal')[0]).toContain(
        `tevis: waiting for Temporal at 127.0.0.1:${temporalPort} (connect ECONNREFUSED 127.0.0.1:${temporalPort}); next try in`,
      );
    }

    temporal = await startTemporal();
    for (const p of both) {
      await waitFor(`${p.name} to reach Temporal`, () => p.output().includes('tevis: Temporal is up'), {
        alive: both,
      });
    }

    const http = new ApiClient(`http://127.0.0.1:${apiPort}`, token);
    await waitFor(
      'the API to answer /health',
      async () => (await http.call('GET', '/health')).status === 200,
      {
        alive: both,
      },
    );
    await http.ok('POST', '/projects', { name: 'waited', repository: fx.remote }, 201);
    const created = await http.ok<{ id: string }>('POST', '/sessions', { project: 'waited' }, 201);
    // Active means the worker ran the session's start: it is really serving the task queue.
    await http.waitForStatus(created.id, 'active', { alive: both });
    await http.ok('POST', `/sessions/${created.id}/end`);
  });
});

describe('an error waiting cannot fix, with Postgres up', () => {
  it('a wrong password ends the start at once, exit 5, naming DATABASE_URL and never printing the password', async () => {
    await servicesUp();
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const url = cluster.url.replace(encodeURIComponent(PASSWORD), wrong);
    // No bound: without "at once" this would wait forever and hit runCli's hang timeout instead.
    const run = await runCli(processes, ['api'], env('wrong-password', { DATABASE_URL: url }));
    expect({ code: run.code, run: describeRun(run) }).toMatchObject({ code: 5 });
    expect(run.stderr).toContain(
      `tevis: tevis api could not start: Postgres at ${postgresAt()}: password authentication failed for user "tevis"; fix the user or password in DATABASE_URL`,
    );
    expect(run.stderr).not.toContain('waiting for');
    expect(run.stderr + run.stdout).not.toContain(wrong);
  });

  it('TLS to a Temporal that speaks plaintext ends the start at once, exit 5, naming the TEMPORAL_TLS settings', async () => {
    await servicesUp();
    const run = await runCli(processes, ['api'], env('tls-mismatch', { TEMPORAL_TLS: 'true' }), 60_000);
    expect({ code: run.code, run: describeRun(run) }).toMatchObject({ code: 5 });
    expect(run.stderr).toContain(
      `tevis: tevis api could not start: Temporal at 127.0.0.1:${temporalPort}: TLS handshake with 127.0.0.1:${temporalPort} failed (`,
    );
    expect(run.stderr).toContain('check TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and the TEMPORAL_TLS* settings');
    expect(run.stderr).not.toContain('waiting for');
  });

  it('SIGTERM while waiting for Temporal, the database already open, stops the API at once with exit 0', async () => {
    await servicesUp();
    const nobody = `127.0.0.1:${await freeLoopbackPort()}`;
    const api = processes.spawnTevis(
      'api waiting for Temporal',
      'api',
      env('signal-temporal', { TEMPORAL_ADDRESS: nobody }),
    );
    await waitFor('the API to wait for Temporal', () => waitLines(api, 'Temporal').length > 0, {
      alive: [api],
    });
    expect(api.output()).toContain(
      `tevis: waiting for Temporal at ${nobody} (connect ECONNREFUSED ${nobody})`,
    );
    const exit = await api.stop('SIGTERM');
    expect({ exit, output: api.describe() }).toMatchObject({ exit: { code: 0, signal: null } });
  });

  it('a malformed TEMPORAL_ADDRESS ends the start at once; a missing one is refused with exit 2 before anything is tried', async () => {
    await servicesUp();
    const malformed = await runCli(
      processes,
      ['worker'],
      env('bad-address', { TEMPORAL_ADDRESS: 'temporal' }),
    );
    expect({ code: malformed.code, run: describeRun(malformed) }).toMatchObject({ code: 5 });
    expect(malformed.stderr).toContain('TEMPORAL_ADDRESS must be HOST:PORT, got "temporal"');
    expect(malformed.stderr).not.toContain('waiting for');
    const missing = await runCli(processes, ['worker'], env('no-address', { TEMPORAL_ADDRESS: undefined }));
    expect({ code: missing.code, run: describeRun(missing) }).toMatchObject({ code: 2 });
    expect(missing.stderr).toContain('set TEMPORAL_ADDRESS');
    const noDatabase = await runCli(processes, ['api'], env('no-database', { DATABASE_URL: undefined }));
    expect({ code: noDatabase.code, run: describeRun(noDatabase) }).toMatchObject({ code: 2 });
    expect(noDatabase.stderr).toContain('set DATABASE_URL');
  });
});

describe('a worker with the docker executor, started before its engine', () => {
  let engine: DockerEngine | undefined;
  afterAll(async () => {
    await engine?.stop();
  });

  it('waits for the container engine, then polls once it answers', async () => {
    await servicesUp();
    await servicesUp();
    // The engine's socket is made later, where DOCKER_HOST already points: a link to the real one.
    const socket = join(scratch, 'engine.sock');
    const worker = processes.spawnTevis(
      'docker worker',
      'worker',
      env('docker-worker', { TEVIS_TPU_EXECUTOR: 'docker', DOCKER_HOST: `unix://${socket}` }),
    );
    await waitFor(
      'the worker to wait for the engine',
      () => waitLines(worker, 'the container engine').length > 0,
      {
        alive: [worker],
      },
    );
    expect(waitLines(worker, 'the container engine')[0]).toContain(
      `tevis: waiting for the container engine at unix://${socket} (connect ENOENT ${socket}); next try in`,
    );
    engine = await startDockerEngine();
    await symlink(engine.socketPath, socket);
    await waitFor(
      'the worker to poll its task queue',
      () =>
        worker.output().includes('tevis: the container engine is up') &&
        worker.output().includes('worker polling task queue'),
      { alive: [worker] },
    );
    const exit = await worker.stop('SIGTERM');
    expect({ exit, output: worker.describe() }).toMatchObject({ exit: { code: 0 } });
  });
});
