/**
 * `npm run bench`: what Tevis adds on top of the parts it is made of, each figure beside a
 * baseline measured in the same run on the same machine:
 *
 *   session create → active    vs  bare `git clone` of the same repository
 *   GET /sessions/:id (live)   vs  a bare Hono route on @hono/node-server
 *   pause+resume Updates       vs  bare Temporal client Updates on a trivial workflow
 *   nanocycle create → merged  vs  the same git by hand: worktree, run the step, commit, merge --no-ff
 *   Mission Control's files    vs  the same files from a bare Hono serveStatic
 *
 * Starts its own Temporal dev server and PGlite under .cache/tevis-bench; loopback only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Hono } from 'hono';
import { loadConfig } from '../runtime/config.js';
import { resolveTemporalCli } from '../runtime/temporal-cli.js';
import { up } from '../runtime/up.js';
import { startTrivialWorkflowWorker } from './trivial-workflow-worker.js';

// Worker chatter would drown the figures.
Runtime.install({ logger: new DefaultLogger('WARN') });

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS || 10);
const REQUESTS = Number(process.env.BENCH_REQUESTS || 500);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function report(name: string, figure: number, baselineName: string, baseline: number, unit: string) {
  console.log(
    `${name.padEnd(34)} ${figure.toFixed(2).padStart(9)} ${unit}   ${baselineName.padEnd(34)} ${baseline.toFixed(2).padStart(9)} ${unit}   ratio ${(figure / baseline).toFixed(2)}x`,
  );
}

async function timeIt(fn: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

const work = mkdtempSync(join(tmpdir(), 'tevis-bench-'));
const git = (args: string[], cwd?: string) => execFileSync('git', args, { cwd, stdio: 'pipe' });
const source = join(work, 'source');
git(['init', '-q', '-b', 'main', source]);
for (let i = 0; i < 200; i++)
  execFileSync('sh', ['-c', `mkdir -p src/m${i % 20} && seq 1 200 > src/m${i % 20}/f${i}.txt`], {
    cwd: source,
  });
git(['add', '-A'], source);
git(['-c', 'user.email=bench@tevis', '-c', 'user.name=bench', 'commit', '-qm', 'bench fixture'], source);
const remote = join(work, 'remote.git');
git(['clone', '-q', '--bare', source, remote]);

const home = join(root, '.cache', 'tevis-bench');
rmSync(home, { recursive: true, force: true });
const cli = await resolveTemporalCli({ home: join(root, '.cache', 'tevis-test') });
// TPUs run in the bubblewrap sandbox whatever this machine has, so the figures compare like with like.
const config = loadConfig({
  ...process.env,
  TEVIS_TPU_EXECUTOR: 'sandbox',
  TEVIS_HOME: home,
  TEVIS_PORT: '18182',
  TEVIS_TEMPORAL_PORT: '17333',
  TEVIS_TEMPORAL_UI_PORT: '18333',
  TEMPORAL_CLI_PATH: cli.path,
  DATABASE_URL: '',
  TEMPORAL_ADDRESS: '',
});
const tevis = await up(config);
const token = execFileSync('cat', [join(home, 'api-token')])
  .toString()
  .trim();
const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(tevis.apiUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<any>;
};

try {
  console.log(`Tevis benchmarks (${ROUNDS} rounds, ${REQUESTS} requests; medians)\n`);
  await call('POST', '/projects', { name: 'bench', repository: remote });

  // 1. Session create → active, against a bare clone of the same repository.
  const sessionTimes: number[] = [];
  const cloneTimes: number[] = [];
  let lastSession = '';
  for (let i = 0; i < ROUNDS; i++) {
    cloneTimes.push(
      await timeIt(() => git(['clone', '-q', '--branch', 'main', '--', remote, join(work, `clone-${i}`)])),
    );
    sessionTimes.push(
      await timeIt(async () => {
        const created = await call('POST', '/sessions', { project: 'bench' });
        lastSession = created.id;
        for (;;) {
          const { events } = await call('GET', `/sessions/${created.id}/events?after=0`);
          if (events.some((e: { type: string }) => e.type === 'session.active')) break;
          await new Promise((r) => setTimeout(r, 10));
        }
      }),
    );
    if (i < ROUNDS - 1) await call('POST', `/sessions/${lastSession}/end`);
  }
  report('session create → active', median(sessionTimes), 'bare git clone', median(cloneTimes), 'ms');

  // 2. A live session read against a bare Hono route, sequential requests over loopback.
  const bare = new Hono().get('/x', (c) => c.json({ ok: true }));
  const bareServer = serve({ fetch: bare.fetch, port: 18183, hostname: '127.0.0.1' });
  const readTimes: number[] = [];
  const bareTimes: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    bareTimes.push(await timeIt(() => fetch('http://127.0.0.1:18183/x').then((r) => r.json())));
    readTimes.push(await timeIt(() => call('GET', `/sessions/${lastSession}`)));
  }
  bareServer.close();
  report('GET /sessions/:id (live state)', median(readTimes), 'bare Hono route', median(bareTimes), 'ms');

  // 3. Session Updates through the API against bare client Updates on a trivial workflow.
  const trivial = await startTrivialWorkflowWorker(tevis.temporalAddress);
  const updateTimes: number[] = [];
  const bareUpdateTimes: number[] = [];
  for (let i = 0; i < ROUNDS * 3; i++) {
    bareUpdateTimes.push(await timeIt(() => trivial.updateTwice()));
    updateTimes.push(
      await timeIt(async () => {
        await call('POST', `/sessions/${lastSession}/pause`);
        await call('POST', `/sessions/${lastSession}/resume`);
      }),
    );
  }
  await trivial.stop();
  report(
    'pause + resume via API',
    median(updateTimes),
    'bare client: 2 Updates',
    median(bareUpdateTimes),
    'ms',
  );

  // 4. A nanocycle from create to merged (sandbox executor, no merge hold point) against the git it
  //    does, by hand: a worktree on a new branch, the step, a commit, a --no-ff merge.
  await call('PATCH', '/projects/bench', { execution: { holdMerge: false } });
  await call('POST', `/sessions/${lastSession}/end`);
  const ncSession = (await call('POST', '/sessions', { project: 'bench' })).id as string;
  for (;;) {
    const { session } = await call('GET', `/sessions/${ncSession}`);
    if (session.status === 'active') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const byHand = join(work, 'clone-0');
  const nanocycleTimes: number[] = [];
  const gitTimes: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    gitTimes.push(
      await timeIt(() => {
        const tree = join(work, `tree-${i}`);
        git(['worktree', 'add', '-q', '-b', `feat/hand-${i}`, tree, 'main'], byHand);
        execFileSync('sh', ['-c', `echo change ${i} > HAND-${i}.md`], { cwd: tree });
        git(['add', '-A'], tree);
        git(['-c', 'user.email=bench@tevis', '-c', 'user.name=bench', 'commit', '-qm', `hand ${i}`], tree);
        git(
          [
            '-c',
            'user.email=bench@tevis',
            '-c',
            'user.name=bench',
            'merge',
            '-q',
            '--no-ff',
            '-m',
            `merge ${i}`,
            `feat/hand-${i}`,
          ],
          byHand,
        );
      }),
    );
    nanocycleTimes.push(
      await timeIt(async () => {
        const nc = await call('POST', `/sessions/${ncSession}/nanocycles`, {
          name: `bench-${i}`,
          run: [`echo change ${i} > NC-${i}.md`],
        });
        for (;;) {
          const { nanocycles } = await call('GET', `/sessions/${ncSession}/nanocycles`);
          const status = nanocycles.find((n: { id: string }) => n.id === nc.id)?.status;
          if (status === 'merged') break;
          if (status === 'failed' || status === 'conflict') throw new Error(`${nc.id} ended ${status}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      }),
    );
  }
  report(
    'nanocycle create → merged',
    median(nanocycleTimes),
    'bare git: worktree+commit+merge',
    median(gitTimes),
    'ms',
  );
  await call('POST', `/sessions/${ncSession}/end`);

  // 5. Everything a browser fetches to show Mission Control, one after another, against the same
  // files from a bare Hono static server. (The vendored SSE parser is Tevis's own; the baseline
  // serves web/ only, so it fetches one file fewer.)
  const webFiles = readdirSync(join(root, 'web')).filter((name) => /\.(html|js|css)$/.test(name));
  const staticApp = new Hono().use('/web/*', serveStatic({ root: relative(process.cwd(), root) || '.' }));
  const staticServer = serve({ fetch: staticApp.fetch, port: 18184, hostname: '127.0.0.1' });
  const pageTimes: number[] = [];
  const staticTimes: number[] = [];
  const fetchAll = async (base: string, paths: string[]) => {
    for (const path of paths) {
      const response = await fetch(base + path);
      if (!response.ok) throw new Error(`GET ${base}${path}: ${response.status}`);
      await response.arrayBuffer();
    }
  };
  const pagePaths = [
    '/',
    ...webFiles.filter((n) => n !== 'index.html').map((n) => `/web/${n}`),
    '/web/eventsource-parser.js',
  ];
  for (let i = 0; i < ROUNDS * 5; i++) {
    staticTimes.push(
      await timeIt(() =>
        fetchAll(
          'http://127.0.0.1:18184',
          webFiles.map((n) => `/web/${n}`),
        ),
      ),
    );
    pageTimes.push(await timeIt(() => fetchAll(tevis.apiUrl, pagePaths)));
  }
  staticServer.close();
  report(
    `Mission Control files (${pagePaths.length})`,
    median(pageTimes),
    `bare Hono serveStatic (${webFiles.length})`,
    median(staticTimes),
    'ms',
  );
} finally {
  await tevis.stop();
  rmSync(work, { recursive: true, force: true });
}
