import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDockerEngine, TPU_TEST_IMAGE, type DockerEngine } from '../support/docker-engine.js';
import { makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';
import { installLoopbackOnly, type LoopbackOnly } from '../support/loopback-only.js';
import { installSchemathesis, runSchemathesis, SCHEMATHESIS_VERSION } from '../support/schemathesis.js';
import { readFuzzReports } from '../support/schemathesis-report.js';

/**
 * The live API fuzzed against its own OpenAPI document: every operation with generated valid and
 * invalid input, then the stateful phase, which follows the document's links from created and
 * listed ids (a project, the seeded sessions, a nanocycle, its hold point). Real parts: Postgres,
 * Temporal, the worker, and a Docker engine of this file's own, so a fuzzed nanocycle's run steps
 * execute in a TPU container with no network.
 *
 * The claim: no response is a 5xx, and every status, content type and body is one the document
 * names. Bounded (a fixed seed, a few examples per operation) so it stays a few minutes.
 *
 * Nothing a fuzzer sets may make the stack reach beyond loopback: the hooks module rewrites network
 * repository and webhook URLs to a closed loopback port before they are sent, and the stack refuses
 * the rest itself (loopback-only.ts) and counts what it refused.
 *
 * The three SSE routes are left out: a live stream on a session that exists never ends, so a fuzzer
 * can only time out on it. Their refusals are the same code as their JSON twins' (fuzzed here), and
 * the streams themselves are tested in timeline-stream.test.ts and session-output.test.ts.
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
];
const SEED = 20261130;
const MAX_EXAMPLES = 25;

let engine: DockerEngine;
let loopback: LoopbackOnly;
let h: Harness;
let scratch: string;
let savedDockerHost: string | undefined;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tevis-api-fuzz-'));
  // Installing needs the package index; only then does the stack go loopback-only.
  [engine] = await Promise.all([
    startDockerEngine(),
    installSchemathesis((msg) => console.log(`[tevis test] ${msg}`)),
  ]);
  loopback = installLoopbackOnly();
  // The in-process worker's activities make their dockerode client from DOCKER_HOST.
  savedDockerHost = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = engine.dockerHost;
  h = await startHarness({
    database: 'postgres',
    label: 'api-fuzz',
    env: { TEVIS_TPU_EXECUTOR: 'docker', DOCKER_HOST: engine.dockerHost },
  });
}, 600_000);

afterAll(async () => {
  await h?.stop();
  if (savedDockerHost === undefined) delete process.env.DOCKER_HOST;
  else process.env.DOCKER_HOST = savedDockerHost;
  await engine?.stop();
  loopback?.uninstall();
  await rm(scratch, { recursive: true, force: true });
});

/**
 * Something for every kind of id to point at: an ended session with a summary, an active one with
 * a nanocycle waiting at its merge hold point. Returns the active session's id.
 */
async function seed(): Promise<string> {
  const fx = await makeGitFixture(join(scratch, 'git'));
  const execution = { image: TPU_TEST_IMAGE, holdMerge: true, tpuTimeoutSeconds: 60 };
  await createProject(h, { name: 'fuzz-ended', repository: fx.remote, execution });
  const ended = await createActiveSession(h, { project: 'fuzz-ended' });
  expect((await h.call('POST', `/sessions/${ended.session.id}/end`)).status).toBe(200);
  await h.waitForSession(ended.session.id, (s) => s.session.status === 'ended', 'the seeded session to end');

  await createProject(h, { name: 'fuzz-seed', repository: fx.remote, execution });
  const { session } = await createActiveSession(h, { project: 'fuzz-seed' });
  const created = await h.call('POST', `/sessions/${session.id}/nanocycles`, {
    name: 'seeded',
    run: ['echo seeded > seeded.txt'],
  });
  expect(created.status).toBe(201);
  await waitFor('the seeded nanocycle to wait at its merge hold point', async () => {
    const holds = await h.call('GET', `/sessions/${session.id}/holds`);
    return holds.json?.holdPoints?.some((p: { status: string }) => p.status === 'pending') || undefined;
  });
  return session.id;
}

/** One schemathesis run of every phase; its reports go to `<reports>/<name>.*`. */
async function fuzz(name: string, reports: string, extra: string[], configFile?: string) {
  const run = await runSchemathesis(
    [
      `${h.apiUrl}/openapi.json`,
      '--header',
      `Authorization: Bearer ${h.token}`,
      '--checks',
      CHECKS.join(','),
      '--phases',
      'examples,coverage,fuzzing,stateful',
      '--max-examples',
      String(MAX_EXAMPLES),
      '--seed',
      String(SEED),
      // No example database: what a run sends depends on the seed, not on what earlier runs found.
      '--generation-database',
      'none',
      '--exclude-path-regex',
      '/stream$',
      '--workers',
      '1',
      '--request-timeout',
      '60',
      '--no-color',
      '--report',
      'junit,ndjson',
      '--report-junit-path',
      join(reports, `${name}.junit.xml`),
      '--report-ndjson-path',
      join(reports, `${name}.ndjson`),
      ...extra,
    ],
    { workDir: reports, timeoutMs: 10 * 60_000, configFile },
  );
  // Its console output is for people; shown when it did not finish cleanly.
  if (run.code !== 0)
    console.log(
      `[api fuzz] ${name} exited with ${run.code}:\n${run.stdout.slice(-20_000)}\n${run.stderr.slice(-4000)}`,
    );
  return { run, ndjson: join(reports, `${name}.ndjson`) };
}

describe('the live API against its OpenAPI document', () => {
  it(
    'answers a bounded fuzz run without a 5xx or a status, content type or body the document does not name',
    async () => {
      const sessionId = await seed();
      // Kept after the run (the cache is not committed) for whoever wants to read what was sent.
      const reports = join(repoRoot, '.cache', 'api-fuzz');
      await mkdir(reports, { recursive: true });
      const started = performance.now();

      // First the seeded active session's nanocycles and hold points, with its id fixed: the whole
      // run below soon ends or pauses every session it finds, and fuzzed nanocycles would then
      // never reach a TPU. Here fuzzed run steps do, in the Docker engine.
      const config = join(reports, 'seeded-session.toml');
      await writeFile(config, `[parameters]\n"path.id" = "${sessionId}"\n`);
      const focused = await fuzz(
        'seeded-session',
        reports,
        ['--include-path-regex', String.raw`^/sessions/\{id\}/(nanocycles|holds)`],
        config,
      );
      const nanocycles = (await h.call('GET', `/sessions/${sessionId}/nanocycles`)).json.nanocycles as Array<{
        executor: string | null;
      }>;
      const inDocker = nanocycles.filter((n) => n.executor === 'docker').length;

      // Then every operation, ids found by following the document's links.
      const whole = await fuzz('whole-api', reports, []);
      const seconds = (performance.now() - started) / 1000;

      const counts = await readFuzzReports([focused.ndjson, whole.ndjson]);
      console.log(
        `[api fuzz] schemathesis ${SCHEMATHESIS_VERSION}, seed ${SEED}, ${seconds.toFixed(0)} s: ${counts.requests} requests to ${counts.operations} operations; ` +
          `failures per check: ${CHECKS.map((c) => `${c} ${counts.failuresByCheck[c] ?? 0}`).join(', ')}; ` +
          `nanocycles of the seeded session run in Docker TPUs: ${inDocker} of ${nanocycles.length}; ` +
          `non-loopback requests refused by the stack: ${loopback.refused.length}`,
      );
      if (counts.examples.length) console.log(counts.examples.join('\n'));
      // Every operation of the document but the streams got requests.
      const document = (await h.call('GET', '/openapi.json')).json as { paths: Record<string, object> };
      const documented = Object.entries(document.paths)
        .filter(([path]) => !path.endsWith('/stream'))
        .flatMap(([, item]) => Object.keys(item));
      expect(counts.operations).toBe(documented.length);
      expect(counts.requests).toBeGreaterThan(1000);
      expect(counts.failuresByCheck).toEqual({});
      expect(counts.errors).toEqual([]);
      expect([focused.run.code, whole.run.code]).toEqual([0, 0]);
      // The seeded one and at least one the fuzzer made.
      expect(inDocker).toBeGreaterThan(1);
      expect(loopback.refused).toEqual([]);
    },
    20 * 60_000,
  );
});
