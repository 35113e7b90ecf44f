/**
 * P7, `npm run bench -- --recovery` (or BENCH_RECOVERY=1): a worker SIGKILLed in the middle of a
 * TPU run on the Docker executor while another worker is up; how long after the kill the run's
 * output goes on (the first line an SSE client receives after it), and that the run was not run
 * twice (one container ever, every line once, the timeline saying it was re-attached).
 *
 * The stack split as on different hosts, as the durability tests have it (test/support/): its own
 * Postgres, Temporal dev server and Docker engine, the API in this process, two `tevis worker`
 * processes. Imported by bench/run.ts, which installs the quiet Temporal runtime. Bounded: it gives up after BENCH_RECOVERY_LIMIT_MS (default 5 minutes).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNS_OVER_NANOCYCLE_STATUSES } from '../contracts/nanocycle-statuses.js';
import { loadConfig } from '../runtime/config.js';
import { connectTemporalClient, SEARCH_ATTRIBUTES, startApi } from '../runtime/run-parts.js';
import { resolveTemporalCli } from '../runtime/temporal-cli.js';
import { startTemporalDevServer } from '../runtime/temporal-dev-server.js';
import { openDatabase } from '../db/database.js';
import { ApiClient } from '../test/support/api-client.js';
import { startDockerEngine } from '../test/support/docker-engine.js';
import { freeLoopbackPort } from '../test/support/free-port.js';
import { makeGitFixture, SMALL_REPOSITORY } from '../test/support/git-fixtures.js';
import { waitFor } from '../test/support/poll.js';
import { startPostgresCluster } from '../test/support/postgres-cluster.js';
import { cleanEnv, ProcessSet } from '../test/support/processes.js';
import { BenchResults } from './bench-results.js';
import { sseLines } from './line-arrivals.js';

/** The goal of issue 12 (P7): output goes on at most this long after the worker was killed. */
const GOAL_MS = 5000;
const LIMIT_MS = Number(process.env.BENCH_RECOVERY_LIMIT_MS || 300_000);
const root = fileURLToPath(new URL('..', import.meta.url));

const bound = setTimeout(() => {
  console.error(`recovery: no result within ${LIMIT_MS} ms; giving up`);
  process.exit(1);
}, LIMIT_MS);
bound.unref();

const work = await mkdtemp(join(tmpdir(), 'tevis-recovery-'));
const processes = new ProcessSet();
const stops: Array<() => Promise<unknown>> = [];
try {
  const engine = await startDockerEngine();
  stops.push(() => engine.stop());
  const postgres = await startPostgresCluster();
  stops.push(() => postgres.stop());
  const cli = await resolveTemporalCli({ home: join(root, '.cache', 'tevis-test') });
  const temporal = await startTemporalDevServer({
    cliPath: cli.path,
    port: await freeLoopbackPort(),
    headless: true,
    searchAttributes: SEARCH_ATTRIBUTES,
  });
  stops.push(() => temporal.stop());

  const token = randomBytes(24).toString('base64url');
  const codecKey = randomBytes(32).toString('base64');
  const taskQueue = `tevis-recovery-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    TEVIS_HOME: join(work, 'api-home'),
    TEVIS_PORT: String(await freeLoopbackPort()),
    TEVIS_API_TOKEN: token,
    TEVIS_TASK_QUEUE: taskQueue,
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEVIS_TEMPORAL_CODEC_KEY: codecKey,
  });
  const database = await openDatabase({ url: postgres.url });
  stops.push(() => database.close());
  const client = await connectTemporalClient(config, temporal.address);
  stops.push(() => client.connection.close());
  const api = await startApi(config, client, database);
  stops.push(() => api.stop());
  const http = new ApiClient(api.url, token);
  const workerEnv = cleanEnv({
    TEVIS_HOME: join(work, 'worker-home'),
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEVIS_TASK_QUEUE: taskQueue,
    TEVIS_API_TOKEN: token,
    TEVIS_TEMPORAL_CODEC_KEY: codecKey,
    TEVIS_TPU_EXECUTOR: 'docker',
    DOCKER_HOST: engine.dockerHost,
  });

  const repo = await makeGitFixture(join(work, 'repo'), { only: SMALL_REPOSITORY });
  await http.ok(
    'POST',
    '/projects',
    { name: 'recovery', repository: repo.fileUrl, execution: { image: engine.image, holdMerge: false } },
    201,
  );
  const first = processes.spawnTevis('worker-1', 'worker', workerEnv);
  const { id } = await http.ok('POST', '/sessions', { project: 'recovery' }, 201);
  await http.waitForStatus(id, 'active', { alive: [first], timeoutMs: 120_000 });
  const ticks = 150;
  await http.ok(
    'POST',
    `/sessions/${id}/nanocycles`,
    { name: 'survivor', run: [`for i in $(seq 1 ${ticks}); do echo tick-$i; sleep 0.1; done`] },
    201,
  );
  const stream = await sseLines(`${api.url}/sessions/${id}/nanocycles/NC-001/logs/stream`, token, ticks + 1);
  await waitFor('a few lines', () => stream.received.length >= 10, { alive: [first], timeoutMs: 120_000 });

  // The other worker is up and polling before the kill; the run is worker 1's.
  const second = processes.spawnTevis('worker-2', 'worker', workerEnv);
  await waitFor('worker 2 to poll', () => second.output().includes('worker polling task queue'), {
    alive: [second],
    timeoutMs: 60_000,
  });
  const killedAt = performance.timeOrigin + performance.now();
  await first.kill();
  // The first line the second attempt stored (lines stored just before the kill may still arrive).
  await waitFor('a line of attempt 2', () => stream.received.some((r) => r.attempt >= 2), {
    alive: [second],
    timeoutMs: 120_000,
  });
  const resumedAt = stream.received.find((r) => r.attempt >= 2)!.at;
  console.log(`recovery: killed worker 1; output went on ${(resumedAt - killedAt).toFixed(0)} ms later`);
  await stream.done;

  // The run is over when the nanocycle merges, or waits for something else than its TPU.
  const nc = await waitFor(
    'the run to be over',
    async () => {
      const found = (await http.nanocycles(id)).find((n) => n.id === 'NC-001');
      const over = (RUNS_OVER_NANOCYCLE_STATUSES as readonly string[]).includes(found?.status ?? '');
      return found && (over || found.status === 'awaiting_approval') ? found : undefined;
    },
    { alive: [second], timeoutMs: 120_000 },
  );
  const printed = (await http.logLines(id, 'NC-001')).map((l) => l.line).filter((l) => l.startsWith('tick-'));
  const each = new Set(printed);
  const types = (await http.events(id)).map((e) => e.type as string);
  const duplicate =
    printed.length !== ticks ||
    each.size !== ticks ||
    types.includes('nanocycle.run_restarted') ||
    !types.includes('nanocycle.run_reattached');
  console.log(
    `recovery: NC-001 ${nc.status}; ${printed.length} tick lines (${each.size} distinct of ${ticks}); ` +
      `run_reattached ${types.filter((t) => t === 'nanocycle.run_reattached').length}, ` +
      `run_restarted ${types.filter((t) => t === 'nanocycle.run_restarted').length}: ` +
      (duplicate ? 'RUN DUPLICATED OR LINES MISSING' : 'one run, every line once'),
  );
  const results = new BenchResults();
  results.add({
    name: 'worker SIGKILL → output goes on',
    figure: resumedAt - killedAt,
    baselineName: 'goal (P7)',
    baseline: GOAL_MS,
    unit: 'ms',
    rounds: 1,
  });
  results.write(join(root, 'bench', 'recovery-results.json'), {
    at: new Date().toISOString(),
    duplicateRun: duplicate,
  });
  await http.ok('POST', `/sessions/${id}/end`).catch(() => {});
  if (duplicate) process.exitCode = 1;
} finally {
  await processes.killAll();
  for (const stop of stops.reverse()) await stop().catch(() => {});
  await rm(work, { recursive: true, force: true });
  clearTimeout(bound);
}
