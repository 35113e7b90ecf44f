import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api-client.js';
import { type DockerEngine, startDockerEngine, TPU_TEST_IMAGE } from '../support/docker-engine.js';
import { ensureBubblewrap } from '../support/bubblewrap.js';
import { type CloneGate, makeCloneGate } from '../support/clone-gate.js';
import { type GitFixture, makeGitFixture, SMALL_REPOSITORY } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { descendantsOf, isRunning, procEntry } from '../support/proc-table.js';
import { type ManagedProcess, ProcessSet } from '../support/processes.js';
import { type SplitStack, startSplitStack } from '../support/split-stack.js';
import { countTypes, sessionRepoEntries, stepLogger } from '../support/stack-probes.js';

/**
 * Issue 13, item 3: a `tevis worker` stopped with SIGTERM hands its work over. Two real worker
 * processes share the stack (as two hosts would, with one home for the workspaces); the one
 * running the work is stopped with SIGTERM, and the other one goes on with it:
 *
 * - a sandbox TPU run: the stopped worker exits with code 0 and leaves no sandbox process behind;
 *   the run cannot be re-attached to, so it is restarted once on the other worker, and the output
 *   says so (`… because the worker running it shut down …`); a pause sent just before the signal
 *   is answered;
 * - a session's start, its clone held at the pack gate (`clone-gate.ts`): the clone is cut short
 *   and the other worker clones again, and the session becomes active through it.
 *
 * - a docker TPU run: the container keeps running through the handover, the other worker
 *   re-attaches to it, and each line the program printed is on the record once.
 *
 * Which worker runs the work is read from /proc (the sandbox and git are its descendants), not
 * guessed; the run waits for a file and the clone for the gate, so nothing depends on timing.
 */

const RUN_PROJECT = 'sigterm-run';
const START_PROJECT = 'sigterm-start';
/** Against a hang only: a stopped worker that does not exit in this long is a failure. */
const EXIT_GRACE_MS = 120_000;

/** Waits for the session's first nanocycle to be merged, by one of `alive`. */
function nc001Merged(http: ApiClient, sessionId: string, alive: ManagedProcess[]): Promise<unknown> {
  return waitFor(
    'NC-001 to be merged',
    async () => (await http.nanocycles(sessionId)).find((n) => n.id === 'NC-001')?.status === 'merged',
    { alive, timeoutMs: 240_000 },
  );
}

/** Seqs 1, 2, 3, … without a gap or a repeat (a timeline, a nanocycle's output). */
function expectGapFree(rows: { seq: number }[]): void {
  expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
}

describe('a worker stopped with SIGTERM hands its work over', () => {
  const processes = new ProcessSet();
  let root: string;
  let workerHome: string;
  let gate: CloneGate;
  let repo: GitFixture;
  let stack: SplitStack | undefined;
  let http: ApiClient;
  let workerEnv: NodeJS.ProcessEnv;
  let workerCount = 0;
  const workers: ManagedProcess[] = [];

  const startWorker = () => {
    const worker = processes.spawnTevis(`worker-${++workerCount}`, 'worker', workerEnv);
    workers.push(worker);
    return worker;
  };
  const running = () => workers.filter((w) => w.running);
  /** The running worker `pid` descends from (its own process, or a child of it). */
  const workerOf = (pid: number) => running().find((w) => descendantsOf(w.pid).some((e) => e.pid === pid));

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tevis-sigterm-'));
    workerHome = join(root, 'worker-home');
    gate = await makeCloneGate(root);
    repo = await makeGitFixture(join(root, 'repo'), { only: SMALL_REPOSITORY });
    const bwrap = await ensureBubblewrap();
    stack = await startSplitStack(root, 'sigterm');
    http = stack.http;
    workerEnv = stack.workerEnv(workerHome, {
      ...gate.env,
      TEVIS_TPU_EXECUTOR: 'sandbox',
      PATH: `${dirname(bwrap)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    });
    startWorker();
    startWorker();
  }, 300_000);

  afterAll(async () => {
    await processes.killAll();
    await gate?.release();
    await stack?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a sandbox run: the worker exits 0, the other restarts the run once and says so, a pause is answered', async () => {
    const step = stepLogger('worker-sigterm/run');
    await http.ok(
      'POST',
      '/projects',
      {
        name: RUN_PROJECT,
        repository: repo.fileUrl,
        defaultBranch: 'main',
        execution: { holdMerge: false },
      },
      201,
    );
    const sessionId: string = (await http.ok('POST', '/sessions', { project: RUN_PROJECT }, 201)).id;
    await http.waitForStatus(sessionId, 'active', { alive: running() });

    const command =
      'echo line-1; echo line-2; echo line-3; while [ ! -e go ]; do sleep 0.2; done; echo line-4; echo line-5';
    await http.ok('POST', `/sessions/${sessionId}/nanocycles`, { name: 'drained', run: [command] }, 201);
    await waitFor(
      'the run to print its third line',
      async () => (await http.logLines(sessionId, 'NC-001')).some((l) => l.line === 'line-3'),
      { alive: running() },
    );
    const sandbox = running()
      .flatMap((w) => descendantsOf(w.pid))
      .filter((e) => e.cmdline.includes('bwrap'));
    expect(sandbox.length).toBeGreaterThan(0);
    const runner = workerOf(sandbox[0]!.pid)!;
    const other = running().find((w) => w !== runner)!;
    step(`${runner.name} runs the sandbox; ${other.name} stands by`);

    // A pause in flight when the signal arrives: its Update must still be answered.
    const pausing = http.ok('POST', `/sessions/${sessionId}/pause`);
    const exit = await runner.stop('SIGTERM', EXIT_GRACE_MS);
    expect(exit, runner.describe()).toEqual({ code: 0, signal: null });
    step(`${runner.name} exited`);
    expect(sandbox.filter((e) => isRunning(e.pid))).toEqual([]);
    expect((await pausing).status).toBe('paused');
    expect((await http.ok('POST', `/sessions/${sessionId}/resume`)).status).toBe('active');

    await writeFile(join(workerHome, 'worktrees', sessionId, 'NC-001', 'go'), '');
    await nc001Merged(http, sessionId, [other]);
    step(`merged on ${other.name}`);

    const lines = await http.logLines(sessionId, 'NC-001');
    expectGapFree(lines);
    const marker =
      'run restarted: attempt 2, because the worker running it shut down; the lines below are printed again from the start';
    const printed = ['line-1', 'line-2', 'line-3'];
    expect(lines.map((l) => [l.attempt, l.stream, l.line])).toEqual([
      [1, 'stdout', `$ ${command}`],
      ...printed.map((line) => [1, 'stdout', line]),
      [2, 'tevis', marker],
      [2, 'stdout', `$ ${command}`],
      ...[...printed, 'line-4', 'line-5'].map((line) => [2, 'stdout', line]),
    ]);

    const events = await http.events(sessionId);
    expectGapFree(events);
    const restarts = events.filter((e) => e.type === 'nanocycle.run_restarted');
    expect(restarts.map((e) => e.data)).toEqual([
      expect.objectContaining({
        nanocycleId: 'NC-001',
        run: 1,
        attempt: 2,
        reason: 'worker-shutdown',
        seq: 5,
      }),
    ]);
    expect(countTypes(events)).toMatchObject({ 'session.paused': 1, 'session.resumed': 1 });
    expect(
      running()
        .flatMap((w) => descendantsOf(w.pid))
        .filter((e) => e.cmdline.includes('bwrap')),
    ).toEqual([]);
    expect((await http.ok('POST', `/sessions/${sessionId}/end`)).status).toBe('ended');
    startWorker();
  }, 420_000);

  it('a session starting: the clone is cut short and the other worker makes the session active', async () => {
    const step = stepLogger('worker-sigterm/start');
    expect(running()).toHaveLength(2);
    await http.ok(
      'POST',
      '/projects',
      { name: START_PROJECT, repository: `ssh://127.0.0.1${repo.remote}`, defaultBranch: 'main' },
      201,
    );
    const sessionId: string = (await http.ok('POST', '/sessions', { project: START_PROJECT }, 201)).id;
    await waitFor(
      'the clone to reach the pack gate',
      () =>
        existsSync(join(gate.dir, 'held')) &&
        sessionRepoEntries(workerHome, sessionId).some((e) => e.startsWith(`${sessionId}.partial-`)),
      { alive: running() },
    );
    const gatePid = Number((await readFile(join(gate.dir, 'pack-calls'), 'utf8')).trim().split('\n')[0]);
    const runner = workerOf(gatePid);
    expect(
      runner,
      `no worker runs the gate (pid ${gatePid}): ${JSON.stringify(procEntry(gatePid))}`,
    ).toBeDefined();
    const other = running().find((w) => w !== runner)!;
    expect((await http.session(sessionId)).session.status).toBe('starting');
    step(`${runner!.name} clones, held at the gate`);

    const exit = await runner!.stop('SIGTERM', EXIT_GRACE_MS);
    expect(exit, runner!.describe()).toEqual({ code: 0, signal: null });
    step(`${runner!.name} exited`);

    const active = await http.waitForStatus(sessionId, 'active', { alive: [other], timeoutMs: 240_000 });
    step(`active through ${other.name}`);
    expect(active.startCommit).toBe(repo.head);
    expect(sessionRepoEntries(workerHome, sessionId)).toEqual([sessionId]);
    const packCalls = (await readFile(join(gate.dir, 'pack-calls'), 'utf8')).trim().split('\n');
    expect(packCalls).toHaveLength(2);
    const events = await http.events(sessionId);
    expectGapFree(events);
    const counts = countTypes(events);
    expect(counts).toMatchObject({
      'session.created': 1,
      'workspace.cloning': 1,
      'workspace.cloned': 1,
      'session.active': 1,
    });
    expect(counts['session.failed']).toBeUndefined();
  }, 420_000);
});

describe('a worker stopped with SIGTERM hands a docker TPU run over', () => {
  const processes = new ProcessSet();
  let engine: DockerEngine | undefined;
  let root: string;
  let workerHome: string;
  let stack: SplitStack | undefined;
  let http: ApiClient;
  let workerEnv: NodeJS.ProcessEnv;

  const containersOf = (sessionId: string) =>
    engine!.docker.listContainers({
      all: true,
      filters: { label: [`tevis.session=${sessionId}`, 'tevis.nanocycle=NC-001'] },
    });
  /** A worker started after the first: once it polls, a run handed over has somewhere to go. */
  const startPollingWorker = async (name: string) => {
    const worker = processes.spawnTevis(name, 'worker', workerEnv);
    await waitFor(`${name} to poll`, () => worker.output().includes('worker polling task queue'), {
      alive: [worker],
    });
    return worker;
  };

  beforeAll(async () => {
    engine = await startDockerEngine();
    root = await mkdtemp(join(tmpdir(), 'tevis-sigterm-docker-'));
    workerHome = join(root, 'worker-home');
    const repo = await makeGitFixture(join(root, 'repo'), { only: SMALL_REPOSITORY });
    stack = await startSplitStack(root, 'sigterm-docker');
    http = stack.http;
    workerEnv = stack.workerEnv(workerHome, { TEVIS_TPU_EXECUTOR: 'docker', DOCKER_HOST: engine.dockerHost });
    await http.ok(
      'POST',
      '/projects',
      {
        name: RUN_PROJECT,
        repository: repo.fileUrl,
        defaultBranch: 'main',
        execution: { image: TPU_TEST_IMAGE, holdMerge: false },
      },
      201,
    );
  }, 300_000);

  afterAll(async () => {
    await processes.killAll();
    await stack?.stop();
    await engine?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('the other worker re-attaches: the container runs on, each line once, a pause is answered', async () => {
    const step = stepLogger('worker-sigterm/docker');
    const runner = await startPollingWorker('worker-1');
    const sessionId: string = (await http.ok('POST', '/sessions', { project: RUN_PROJECT }, 201)).id;
    await http.waitForStatus(sessionId, 'active', { alive: [runner], timeoutMs: 240_000 });
    const command = 'n=0; while [ ! -e go ]; do n=$((n+1)); echo tick-$n; sleep 0.2; done; echo after-go';
    await http.ok('POST', `/sessions/${sessionId}/nanocycles`, { name: 'drained', run: [command] }, 201);
    await waitFor(
      'a few ticks on the record',
      async () => (await http.logLines(sessionId, 'NC-001')).some((l) => l.line === 'tick-3'),
      { alive: [runner], timeoutMs: 240_000 },
    );
    const [container] = await containersOf(sessionId);
    expect(container?.State).toBe('running');
    const other = await startPollingWorker('worker-2');
    step('worker-1 runs the container; worker-2 polls');

    // Lines on the record before the SIGTERM are worker-1's. Once it exits, worker-2 may re-attach
    // and record lines at any moment, before the count after the resume below is read.
    const recordedBeforeStop = (await http.logLines(sessionId, 'NC-001')).length;
    const pausing = http.ok('POST', `/sessions/${sessionId}/pause`);
    const exit = await runner.stop('SIGTERM', EXIT_GRACE_MS);
    expect(exit, runner.describe()).toEqual({ code: 0, signal: null });
    step('worker-1 exited');
    expect((await pausing).status).toBe('paused');
    expect((await http.ok('POST', `/sessions/${sessionId}/resume`)).status).toBe('active');
    // The container outlived the worker that started it: the same one, still running.
    expect((await containersOf(sessionId)).map((c) => [c.Id, c.State])).toEqual([[container!.Id, 'running']]);
    const recordedAtExit = (await http.logLines(sessionId, 'NC-001')).length;
    await waitFor(
      'worker-2 to record lines past those worker-1 did',
      async () => (await http.logLines(sessionId, 'NC-001')).length > recordedAtExit,
      { alive: [other], timeoutMs: 240_000 },
    );
    await writeFile(join(workerHome, 'worktrees', sessionId, 'NC-001', 'go'), '');
    await nc001Merged(http, sessionId, [other]);
    step('merged on worker-2');

    // Every line the program printed, ticks printed while no worker was attached included, once.
    const lines = await http.logLines(sessionId, 'NC-001');
    expectGapFree(lines);
    const ticks = lines.filter((l) => l.line.startsWith('tick-')).map((l) => l.line);
    expect(lines.map((l) => [l.stream, l.line])).toEqual([
      ['stdout', `$ ${command}`],
      ...ticks.map((_, i) => ['stdout', `tick-${i + 1}`]),
      ['stdout', 'after-go'],
    ]);
    // worker-1's lines, then worker-2's: one hand-over, no line of one attempt amid the other's.
    const attempts = lines.map((l) => l.attempt);
    const handOver = attempts.indexOf(2);
    expect(handOver).toBeGreaterThanOrEqual(recordedBeforeStop);
    expect(attempts).toEqual([...Array(handOver).fill(1), ...Array(lines.length - handOver).fill(2)]);

    const events = await http.events(sessionId);
    expectGapFree(events);
    expect(events.filter((e) => e.type === 'nanocycle.run_restarted')).toEqual([]);
    expect(events.filter((e) => e.type === 'nanocycle.run_reattached').map((e) => e.data)).toEqual([
      expect.objectContaining({ nanocycleId: 'NC-001', run: 1, attempt: 2, reason: 'worker-shutdown' }),
    ]);
    expect(await containersOf(sessionId)).toEqual([]);
    expect((await http.ok('POST', `/sessions/${sessionId}/end`)).status).toBe('ended');
  }, 480_000);
});
