/**
 * `npm run bench`: what Tevis adds on top of the parts it is made of, each figure beside a
 * baseline measured in the same run on the same machine, one file a figure in bench/figures/.
 * Prints the table and writes bench/results.json. `BENCH_ONLY=session-read,…` runs some figures.
 * `npm run bench -- --idle` (or BENCH_IDLE=N) runs bench/idle-sessions.ts alone instead: N idle
 * sessions on one worker (default 2000). Either way bench/readme-table.ts then rewrites the
 * README's Performance table from bench/results.json.
 *
 * Starts its own Temporal dev server and PGlite under .cache/tevis-bench; loopback only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../runtime/config.js';
import { resolveTemporalCli } from '../runtime/temporal-cli.js';
import { up } from '../runtime/up.js';
import type { BenchContext } from './bench-context.js';
import { BenchResults } from './bench-results.js';
import { benchIdleSessions } from './idle-sessions.js';
import { writeReadmeTable } from './readme-table.js';
import { benchMissionControlFiles } from './figures/mission-control-files.js';
import { benchNanocycleMerge } from './figures/nanocycle-merge.js';
import { benchOutputLatency } from './figures/output-latency.js';
import { benchSessionCommands } from './figures/session-commands.js';
import { benchSessionRead } from './figures/session-read.js';
import { benchSessionStart } from './figures/session-start.js';
import { benchTpuStart } from './figures/tpu-start.js';
import { benchAcpTurn } from './figures/acp-turn.js';

// Worker chatter would drown the figures.
Runtime.install({ logger: new DefaultLogger('WARN') });

/** In the order they run; each starts and ends the sessions it needs. */
const FIGURES: Record<string, (ctx: BenchContext) => Promise<void>> = {
  'session-start': benchSessionStart,
  'session-read': benchSessionRead,
  'session-commands': benchSessionCommands,
  'nanocycle-merge': benchNanocycleMerge,
  'mission-control-files': benchMissionControlFiles,
  'tpu-start': benchTpuStart,
  'output-latency': benchOutputLatency,
  'acp-turn': benchAcpTurn,
  'idle-sessions': benchIdleSessions,
};
const idle = process.argv.includes('--idle') || Boolean(process.env.BENCH_IDLE);

// P7 is a stack of its own (workers as processes, one of them killed): bench/recovery.ts.
if (process.argv.includes('--recovery') || process.env.BENCH_RECOVERY) {
  await import('./recovery.js');
  process.exit();
}

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS || 10);
const REQUESTS = Number(process.env.BENCH_REQUESTS || 500);
const only = idle
  ? ['idle-sessions']
  : (process.env.BENCH_ONLY?.split(',').filter(Boolean) ??
    Object.keys(FIGURES).filter((n) => n !== 'idle-sessions'));
const unknown = only.filter((name) => !(name in FIGURES));
if (unknown.length) {
  console.error(`bench: no figure ${unknown.join(', ')}; the figures are ${Object.keys(FIGURES).join(', ')}`);
  process.exit(2);
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

const home = join(root, '.cache', idle ? 'tevis-bench-idle' : 'tevis-bench');
rmSync(home, { recursive: true, force: true });
const cli = await resolveTemporalCli({ home: join(root, '.cache', 'tevis-test') });
// TPUs run in the bubblewrap sandbox whatever this machine has, so the figures compare like with like.
const config = loadConfig({
  ...process.env,
  TEVIS_TPU_EXECUTOR: 'sandbox',
  TEVIS_HOME: home,
  // Ports of its own for the idle run, so it can run beside the figures.
  TEVIS_PORT: idle ? '18192' : '18182',
  TEVIS_TEMPORAL_PORT: idle ? '17343' : '17333',
  TEVIS_TEMPORAL_UI_PORT: idle ? '18343' : '18333',
  TEMPORAL_CLI_PATH: cli.path,
  DATABASE_URL: '',
  TEMPORAL_ADDRESS: '',
});
const tevis = await up(config);
const token = readFileSync(join(home, 'api-token'), 'utf8').trim();
const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(tevis.apiUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<any>;
};

const results = new BenchResults();
const ctx: BenchContext = {
  tevis,
  config,
  call,
  token,
  work,
  remote,
  git,
  rounds: ROUNDS,
  requests: REQUESTS,
  results,
};

try {
  console.log(`Tevis benchmarks (${ROUNDS} rounds, ${REQUESTS} requests; medians)\n`);
  await call('POST', '/projects', { name: 'bench', repository: remote });
  for (const [name, figure] of Object.entries(FIGURES)) {
    if (!only.includes(name)) continue;
    const from = results.rows.length;
    await figure(ctx);
    results.label(from, name);
  }
  const file = join(root, 'bench', 'results.json');
  results.write(file, {
    at: new Date().toISOString(),
    rounds: ROUNDS,
    requests: REQUESTS,
    figures: only,
  });
  console.log(`\nwritten to ${file}`);
  writeReadmeTable(file, join(root, 'README.md'));
} finally {
  await tevis.stop();
  rmSync(work, { recursive: true, force: true });
}
