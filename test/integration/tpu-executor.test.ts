import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActivityCancellationDetails, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection } from '@temporalio/worker';
import Docker from 'dockerode';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerTpuExecutor } from '../../activities/tpu/docker-executor.js';
import { NoTpuExecutor } from '../../activities/tpu/no-executor.js';
import { removeTpuContainer } from '../../activities/tpu/remove-tpu-container.js';
import { runTpu } from '../../activities/tpu/run-tpu.js';
import { SandboxTpuExecutor } from '../../activities/tpu/sandbox-executor.js';
import type { TpuExecutor } from '../../activities/tpu/tpu-executor.js';
import {
  TAIL_LINES,
  TPU_UID,
  tpuContainerName,
  type TpuHeartbeat,
  type TpuRunInput,
  type TpuRunResult,
} from '../../activities/tpu/tpu-spec.js';
import type { OpenDatabase } from '../../db/database.js';
import { listLogLines, type StoredLogLine } from '../../db/nanocycle-logs-store.js';
import { listEvents } from '../../db/timeline-store.js';
import { nanocycles } from '../../db/schema.js';
import { ensureBubblewrap } from '../support/bubblewrap.js';
import { createSessionWorker } from '../../worker/session-worker.js';
import { checkContainerEngine } from '../../runtime/service-checks.js';
import { loadWorkflowBundle } from '../../worker/workflow-bundle.js';
import { startDockerEngine, type DockerEngine } from '../support/docker-engine.js';
import { git, makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { openTpuSessionRecord, type TpuSessionRecord } from '../support/tpu-session-record.js';

/**
 * The TPU executors against the real things: a dockerd of this file's own with a busybox image
 * built here, a fresh database on the suite's Postgres, and real git worktrees. The docker
 * executor and the bubblewrap sandbox executor pass the same functional tests; re-attach and
 * container tests are the docker executor's own. What a hostile TPU cannot do is in
 * tpu-security.test.ts.
 */

const SESSION = 'sess_tpu001';
const base = mkdtempSync(join(tmpdir(), 'tevis-tpu-'));
const workerUid = process.getuid!();
const quietLogger = new DefaultLogger('ERROR');

let engine: DockerEngine;
let bwrap = '';
let database: OpenDatabase;
let record: TpuSessionRecord | undefined;
let repo = '';
let ncCounter = 0;

beforeAll(async () => {
  const [started, fixture, bwrapPath] = await Promise.all([
    startDockerEngine(),
    makeGitFixture(join(base, 'fixture')),
    ensureBubblewrap(),
  ]);
  bwrap = bwrapPath;
  engine = started;
  repo = fixture.work;
  record = await openTpuSessionRecord({ project: 'tpu', sessionId: SESSION, repository: fixture.remote });
  database = record.database;
});

afterAll(async () => {
  await record?.close();
  await engine?.stop();
  rmSync(base, { recursive: true, force: true });
});

/** A nanocycle of its own for each test: id, branch and a real git worktree. */
async function nanocycle(): Promise<{ id: string; worktree: string }> {
  ncCounter += 1;
  const id = `NC-${String(ncCounter).padStart(3, '0')}`;
  const worktree = join(base, 'worktrees', id);
  await git(['worktree', 'add', '-q', '-b', `feat/${id.toLowerCase()}`, worktree, 'main'], repo);
  await database.db
    .insert(nanocycles)
    .values({ sessionId: SESSION, id, name: id, status: 'running', branch: `feat/${id.toLowerCase()}` });
  return { id, worktree };
}

function tpuInput(
  nc: { id: string; worktree: string },
  work: Pick<TpuRunInput, 'steps'> | Pick<TpuRunInput, 'command'>,
  extra: Partial<TpuRunInput> = {},
): TpuRunInput {
  return {
    sessionId: SESSION,
    nanocycleId: nc.id,
    run: 1,
    runId: randomBytes(4).toString('hex'),
    worktreePath: nc.worktree,
    image: engine.image,
    env: { TEVIS_GOAL: 'test the TPU' },
    network: false,
    limits: { memoryMb: 256, cpus: 1, pids: 64 },
    timeoutSeconds: 60,
    ...work,
    ...extra,
  } as TpuRunInput;
}

const logsOf = (nanocycleId: string): Promise<StoredLogLine[]> =>
  listLogLines(database.db, { sessionId: SESSION, nanocycleId, limit: 100_000 });

async function containersOf(nanocycleId: string): Promise<Docker.ContainerInfo[]> {
  return engine.docker.listContainers({
    all: true,
    filters: { label: [`tevis.session=${SESSION}`, `tevis.nanocycle=${nanocycleId}`] },
  });
}

function expectContiguous(lines: StoredLogLine[], from = 1): void {
  expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => from + i));
}

const executors = ['docker', 'sandbox'] as const;

function executorOf(kind: (typeof executors)[number]): TpuExecutor {
  return kind === 'docker'
    ? new DockerTpuExecutor(database.db, engine.docker, engine.dockerHost)
    : new SandboxTpuExecutor(database.db, bwrap);
}

describe.each(executors)('the %s executor', (kind) => {
  const deps = (): TpuExecutor => executorOf(kind);

  it('runs steps in order and records every line with its stream and time', async () => {
    const nc = await nanocycle();
    const steps = [
      'echo one',
      'echo two >&2',
      'seq 1 500',
      'echo "goal=$TEVIS_GOAL nanocycle=$TEVIS_NANOCYCLE_ID session=$TEVIS_SESSION_ID"',
      // A line longer than the engine's 16 KiB log buffer, which it stores as several pieces.
      'head -c 40000 /dev/zero | tr "\\0" a; echo',
      'printf "ü ends without a newline"',
    ];
    const began = Date.now();
    const result = await runTpu(deps(), database.db, tpuInput(nc, { steps }));
    const finished = Date.now();

    expect(result).toMatchObject({ exitCode: 0, executor: kind, timedOut: false });
    const lines = await logsOf(nc.id);
    expectContiguous(lines);
    // Long lines shortened to their length, so a failure prints a readable diff.
    const stdout = lines
      .filter((l) => l.stream === 'stdout')
      .map((l) => (l.line.length > 200 ? `<${l.line[0]} × ${l.line.length}>` : l.line));
    const stderr = lines.filter((l) => l.stream === 'stderr').map((l) => l.line);
    expect(stdout).toEqual([
      '$ echo one',
      'one',
      '$ echo two >&2',
      '$ seq 1 500',
      ...Array.from({ length: 500 }, (_, i) => String(i + 1)),
      `$ ${steps[3]}`,
      `goal=test the TPU nanocycle=${nc.id} session=${SESSION}`,
      `$ ${steps[4]}`,
      '<a × 40000>',
      `$ ${steps[5]}`,
      'ü ends without a newline',
    ]);
    expect(stderr).toEqual(['two']);
    for (const line of lines) {
      expect(line.run).toBe(1);
      expect(line.at.getTime()).toBeGreaterThanOrEqual(began - 2000);
      expect(line.at.getTime()).toBeLessThanOrEqual(finished + 2000);
    }
    expect(result.logLines).toBe(lines.length);
    expect(result.lastSeq).toBe(lines.length);
    expect(result.tail).toEqual(lines.slice(-TAIL_LINES).map((l) => l.line));
    expect(Date.parse(result.finishedAt)).toBeGreaterThanOrEqual(Date.parse(result.startedAt));
  });

  it('stops at the first failing step and answers its exit code with the tail', async () => {
    const nc = await nanocycle();
    const result = await runTpu(
      deps(),
      database.db,
      tpuInput(nc, { steps: ['echo before', 'echo boom >&2; exit 3', 'echo never'] }),
    );
    expect(result.exitCode).toBe(3);
    expect(result.tail).toContain('boom');
    expect(result.tail).not.toContain('never');
    const lines = (await logsOf(nc.id)).map((l) => l.line);
    expect(lines).toContain('before');
    expect(lines).not.toContain('never');
  });

  it('runs an argv as it is, and a second run of the nanocycle numbers its lines after the first', async () => {
    const nc = await nanocycle();
    const first = await runTpu(
      deps(),
      database.db,
      tpuInput(nc, { command: ['sh', '-c', 'echo first; exit 75'] }),
    );
    expect(first).toMatchObject({ exitCode: 75, lastSeq: 1 });
    const second = await runTpu(
      deps(),
      database.db,
      tpuInput(
        nc,
        { command: ['sh', '-c', 'echo "answer=$TEVIS_HOLD_ANSWER"'] },
        { run: 2, env: { TEVIS_HOLD_ANSWER: 'yes' } },
      ),
    );
    expect(second).toMatchObject({ exitCode: 0, lastSeq: 2, logLines: 1 });
    const lines = await logsOf(nc.id);
    expect(lines.map((l) => [l.seq, l.run, l.line])).toEqual([
      [1, 1, 'first'],
      [2, 2, 'answer=yes'],
    ]);
  });

  it('stops a run that goes past its timeout', async () => {
    const nc = await nanocycle();
    const began = Date.now();
    const result = await runTpu(
      deps(),
      database.db,
      tpuInput(nc, { steps: ['echo started', 'sleep 30'] }, { timeoutSeconds: 2 }),
    );
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).not.toBe(0);
    expect(Date.now() - began).toBeLessThan(15_000);
    expect(result.tail).toContain('started');
  });
});

describe('the docker executor', () => {
  const deps = (): TpuExecutor => executorOf('docker');

  it('holds the sandbox: loopback only, not root, read-only root, writable worktree given back, no engine socket', async () => {
    const nc = await nanocycle();
    const script = [
      'echo "uid=$(id -u) gid=$(id -g)"',
      'tail -n +3 /proc/net/dev | while read name rest; do echo "iface=${name%:}"; done',
      'touch /root-file 2>/dev/null && echo root=writable || echo root=readonly',
      'touch /bin/planted 2>/dev/null && echo bin=writable || echo bin=readonly',
      'echo from-the-tpu > /workspace/made-by-tpu.txt && echo workspace=writable',
      'echo t > /tmp/t && echo tmp=writable',
      'for s in /var/run/docker.sock /run/docker.sock; do test -e $s && echo socket=$s; done; echo sockets-checked',
      'grep -E "^(CapEff|NoNewPrivs):" /proc/self/status | tr -d "\\t"',
      'echo "cwd=$(pwd)"',
    ].join('\n');
    const input = tpuInput(nc, { command: ['sh', '-c', script] });
    const result = await runTpu(deps(), database.db, input);
    expect(result).toMatchObject({ exitCode: 0, executor: 'docker' });
    const out = (await logsOf(nc.id)).map((l) => l.line);

    const expectedUid = workerUid === 0 ? TPU_UID : workerUid;
    expect(out).toContain(`uid=${expectedUid} gid=${workerUid === 0 ? TPU_UID : process.getgid!()}`);
    expect(out.filter((l) => l.startsWith('iface='))).toEqual(['iface=lo']);
    expect(out).toContain('root=readonly');
    expect(out).toContain('bin=readonly');
    expect(out).toContain('workspace=writable');
    expect(out).toContain('tmp=writable');
    expect(out.filter((l) => l.startsWith('socket='))).toEqual([]);
    expect(out).toContain('sockets-checked');
    expect(out).toContain('CapEff:0000000000000000');
    expect(out).toContain('NoNewPrivs:1');
    expect(out).toContain('cwd=/workspace');

    // The file came back to the worker, and so did the worktree: git (run by the worker) uses it.
    const made = join(nc.worktree, 'made-by-tpu.txt');
    expect(readFileSync(made, 'utf8')).toBe('from-the-tpu\n');
    expect(statSync(made).uid).toBe(workerUid);
    expect(statSync(nc.worktree).uid).toBe(workerUid);
    expect(statSync(join(nc.worktree, 'README.md')).uid).toBe(workerUid);
    expect(await git(['status', '--porcelain'], nc.worktree)).toContain('made-by-tpu.txt');

    // What the engine was told, as it reports it.
    const inspected = await engine.docker.getContainer(result.containerName!).inspect();
    expect(inspected.Name).toBe(`/${tpuContainerName(input)}`);
    expect(inspected.Config.Labels).toMatchObject({
      'tevis.session': SESSION,
      'tevis.nanocycle': nc.id,
      'tevis.run': input.runId,
    });
    expect(inspected.HostConfig).toMatchObject({
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Memory: 256 * 1024 * 1024,
      NanoCpus: 1e9,
      PidsLimit: 64,
      AutoRemove: false,
    });
  });

  it('refuses a missing image with its own non-retryable failure, before creating anything', async () => {
    const nc = await nanocycle();
    const failure = await runTpu(
      deps(),
      database.db,
      tpuInput(nc, { steps: ['true'] }, { image: 'tevis-no-such-image:latest' }),
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'tpu-image-missing', nonRetryable: true });
    expect((failure as Error).message).toContain('tevis-no-such-image:latest');
    expect((failure as Error).message).toMatch(/docker (build|pull)/);
    expect(await containersOf(nc.id)).toHaveLength(0);
  });

  it('re-attaches after a worker shutdown: one container, every line once, and a later attempt only reads the result', async () => {
    const nc = await nanocycle();
    const step = 'for i in $(seq 1 30); do echo line-$i; sleep 0.1; done';
    const input = tpuInput(nc, { steps: [step] });
    const expected = [`$ ${step}`, ...Array.from({ length: 30 }, (_, i) => `line-${i + 1}`)];

    const first = new MockActivityEnvironment({ attempt: 1 }, { logger: quietLogger });
    let lastHeartbeat: TpuHeartbeat | undefined;
    first.on('heartbeat', (details: TpuHeartbeat) => (lastHeartbeat = details));
    const running = first.run(runTpu, deps(), database.db, input);
    await waitFor('a few lines on the record', async () => (await logsOf(nc.id)).length >= 5, {
      timeoutMs: 30_000,
    });
    first.cancel('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true }));
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);

    // The shutdown left the container running, with the worktree still the TPU's.
    const [left] = await containersOf(nc.id);
    expect(left?.State).toBe('running');
    expect(lastHeartbeat).toMatchObject({ executor: 'docker', ending: 'worker-shutdown' });
    expect(lastHeartbeat!.seq).toBeGreaterThanOrEqual(5);

    const second = new MockActivityEnvironment(
      { attempt: 2, heartbeatDetails: lastHeartbeat },
      { logger: quietLogger },
    );
    const result: TpuRunResult = await second.run(runTpu, deps(), database.db, input);
    expect(result).toMatchObject({ exitCode: 0, executor: 'docker', logLines: 31, lastSeq: 31 });
    expect(result.tail).toEqual(expected);

    const lines = await logsOf(nc.id);
    expect(lines.map((l) => l.line)).toEqual(expected);
    expectContiguous(lines);
    expect(await containersOf(nc.id)).toHaveLength(1);
    // Re-attached, not restarted: each line once, stored by the attempt that read it first, and no restart said.
    expect(lines.slice(0, 5).map((l) => l.attempt)).toEqual([1, 1, 1, 1, 1]);
    expect(lines.at(-1)!.attempt).toBe(2);
    expect(lines.map((l) => l.stream)).not.toContain('tevis');
    expect(
      (await listEvents(database.db, SESSION)).filter(
        (e) => e.type === 'nanocycle.run_restarted' && e.data.nanocycleId === nc.id,
      ),
    ).toEqual([]);
    const picked = (await listEvents(database.db, SESSION)).filter(
      (e) => e.type === 'nanocycle.run_reattached' && e.data.nanocycleId === nc.id,
    );
    expect(picked.map((e) => e.data)).toEqual([
      expect.objectContaining({ run: 1, attempt: 2, reason: 'worker-shutdown' }),
    ]);

    // Yet another attempt (say the worker died just before reporting) finds it exited and reads the result.
    const third: TpuRunResult = await runTpu(deps(), database.db, input);
    expect(third).toMatchObject({
      exitCode: 0,
      containerId: result.containerId,
      logLines: 31,
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
    });
    expect(await logsOf(nc.id)).toHaveLength(31);
    expect(await containersOf(nc.id)).toHaveLength(1);
  });

  it('two attempts at once make one container and one copy of the output', async () => {
    const nc = await nanocycle();
    const input = tpuInput(nc, { steps: ['seq 1 200', 'sleep 0.5', 'echo done'] });
    const [a, b] = await Promise.all([
      runTpu(deps(), database.db, input),
      runTpu(deps(), database.db, input),
    ]);
    expect(a.containerId).toBe(b.containerId);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    expect(await containersOf(nc.id)).toHaveLength(1);
    const lines = await logsOf(nc.id);
    // '$ seq 1 200', 1…200, '$ sleep 0.5', '$ echo done', 'done'
    expect(lines.map((l) => l.line)).toEqual([
      '$ seq 1 200',
      ...Array.from({ length: 200 }, (_, i) => String(i + 1)),
      '$ sleep 0.5',
      '$ echo done',
      'done',
    ]);
    expect([a.logLines, b.logLines]).toEqual([204, 204]);
    expectContiguous(lines);
  });

  it('a cancelled run stops and removes its container and gives the worktree back', async () => {
    const nc = await nanocycle();
    const input = tpuInput(nc, { steps: ['echo started; touch /workspace/started', 'sleep 60'] });
    const env = new MockActivityEnvironment({}, { logger: quietLogger });
    const running = env.run(runTpu, deps(), database.db, input);
    await waitFor('the run to start', async () => (await logsOf(nc.id)).some((l) => l.line === 'started'), {
      timeoutMs: 30_000,
    });
    expect(await containersOf(nc.id)).toHaveLength(1);
    const began = Date.now();
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    expect(Date.now() - began).toBeLessThan(15_000);
    expect(await containersOf(nc.id)).toHaveLength(0);
    expect(statSync(join(nc.worktree, 'started')).uid).toBe(workerUid);
  });

  it('removeTpuContainer removes a finished run once and is harmless after', async () => {
    const nc = await nanocycle();
    const result = await runTpu(deps(), database.db, tpuInput(nc, { steps: ['echo hi'] }));
    expect(await containersOf(nc.id)).toHaveLength(1);
    expect(await removeTpuContainer(engine.docker, result.containerName!)).toEqual({ removed: true });
    expect(await removeTpuContainer(engine.docker, result.containerName!)).toEqual({ removed: false });
    expect(await containersOf(nc.id)).toHaveLength(0);
  });

  it('an engine that does not answer fails the run, retryably, with tpu-engine-unreachable: nothing runs anywhere, the record names no executor', async () => {
    const dead = new DockerTpuExecutor(
      database.db,
      new Docker({ socketPath: join(base, 'no-engine.sock') }),
      `unix://${join(base, 'no-engine.sock')}`,
    );
    const nc = await nanocycle();
    const failure = await runTpu(
      dead,
      database.db,
      tpuInput(nc, { steps: ['touch ran-somewhere', 'echo hi'] }),
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'tpu-engine-unreachable', nonRetryable: false });
    expect((failure as Error).message).toContain('no-engine.sock');
    expect((failure as Error).message).toContain('TEVIS_TPU_EXECUTOR');
    expect(existsSync(join(nc.worktree, 'ran-somewhere'))).toBe(false);
    expect(await logsOf(nc.id)).toHaveLength(0);
    const [row] = await database.db.select().from(nanocycles).where(eq(nanocycles.id, nc.id));
    expect(row!.executor).toBeNull();
  });

  it("a cancel racing the container's creation and start leaves no container", async () => {
    for (const delayMs of [0, 5, 20, 60, 150, 300]) {
      const nc = await nanocycle();
      const env = new MockActivityEnvironment({}, { logger: quietLogger });
      const running = env.run(runTpu, deps(), database.db, tpuInput(nc, { steps: ['sleep 30'] }));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      env.cancel();
      await expect(running).rejects.toBeInstanceOf(CancelledFailure);
      expect(await containersOf(nc.id), `cancel after ${delayMs} ms`).toHaveLength(0);
    }
  });

  it('the sweep at worker start removes the containers of final nanocycles and leaves the others', async () => {
    const finished = await nanocycle();
    const open = await nanocycle();
    await database.db.update(nanocycles).set({ status: 'cancelled' }).where(eq(nanocycles.id, finished.id));
    const make = (nc: { id: string }) =>
      engine.docker.createContainer({
        name: `tevis-sweep-${nc.id.toLowerCase()}`,
        Image: engine.image,
        Cmd: ['sleep', '60'],
        Labels: { 'tevis.session': SESSION, 'tevis.nanocycle': nc.id, 'tevis.run': 'left' },
        HostConfig: { NetworkMode: 'none' },
      });
    await (await make(finished)).start();
    await make(open);
    const { removed } = await deps().sweep(database.db);
    expect(removed).toEqual([`tevis-sweep-${finished.id.toLowerCase()}`]);
    expect(await containersOf(finished.id)).toHaveLength(0);
    expect(await containersOf(open.id)).toHaveLength(1);
    await removeTpuContainer(engine.docker, `tevis-sweep-${open.id.toLowerCase()}`);
  });
});

describe('tevis status', () => {
  it('shows the chosen executor, and a worker without one as unavailable with the fix', async () => {
    expect((await checkContainerEngine(executorOf('docker'))).detail).toMatch(
      /^docker \(Docker \S+ at unix:\/\//,
    );
    expect((await checkContainerEngine(executorOf('sandbox'))).detail).toMatch(/^sandbox \(bubblewrap \d/);
    const none = await checkContainerEngine(new NoTpuExecutor('TEVIS_TPU_EXECUTOR=none'));
    expect(none.status).toBe('unavailable');
    expect(none.detail).toContain('tpu-executor-missing');
  });
});

describe('a worker starting', () => {
  it('sweeps its engine: a leftover container of a final nanocycle is removed before it takes work', async () => {
    const finished = await nanocycle();
    await database.db.update(nanocycles).set({ status: 'failed' }).where(eq(nanocycles.id, finished.id));
    const left = await engine.docker.createContainer({
      name: `tevis-left-${finished.id.toLowerCase()}`,
      Image: engine.image,
      Cmd: ['sleep', '60'],
      Labels: { 'tevis.session': SESSION, 'tevis.nanocycle': finished.id, 'tevis.run': 'left' },
      HostConfig: { NetworkMode: 'none' },
    });
    await left.start();
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    try {
      // The sweep is part of making the worker, before it polls for anything.
      const worker = await createSessionWorker({
        connection,
        namespace: 'default',
        taskQueue: `tevis-sweep-${randomBytes(4).toString('hex')}`,
        deps: { db: database.db, dbKind: 'postgres', home: base, tpu: executorOf('docker') },
        workflowBundle: await loadWorkflowBundle(),
      });
      expect(await containersOf(finished.id)).toHaveLength(0);
      const running = worker.run();
      worker.shutdown();
      await running;
    } finally {
      await connection.close();
    }
  });
});

describe('the sandbox executor', () => {
  it("refuses a project that allows network (it could only share the host's), running nothing", async () => {
    const nc = await nanocycle();
    const failure = await runTpu(
      executorOf('sandbox'),
      database.db,
      tpuInput(nc, { steps: ['touch ran'] }, { network: true }),
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ type: 'tpu-network-unsupported', nonRetryable: true });
    expect(existsSync(join(nc.worktree, 'ran'))).toBe(false);
  });

  it('runs again from the start after a worker shutdown, after a tevis line that says so, each copy with its attempt', async () => {
    const nc = await nanocycle();
    const input = tpuInput(nc, {
      steps: ['echo once-$TEVIS_RUN | tee -a attempts.txt', 'while [ ! -e go ]; do sleep 0.1; done'],
    });
    const first = new MockActivityEnvironment({ attempt: 1 }, { logger: quietLogger });
    let lastHeartbeat: TpuHeartbeat | undefined;
    first.on('heartbeat', (details: TpuHeartbeat) => (lastHeartbeat = details));
    const running = first.run(runTpu, executorOf('sandbox'), database.db, input);
    await waitFor(
      'the first line on the record',
      async () => (await logsOf(nc.id)).some((l) => l.line.startsWith('once-')),
      { timeoutMs: 30_000 },
    );
    first.cancel('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true }));
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    expect(lastHeartbeat).toMatchObject({ executor: 'sandbox', ending: 'worker-shutdown' });

    writeFileSync(join(nc.worktree, 'go'), '');
    const second = new MockActivityEnvironment(
      { attempt: 2, heartbeatDetails: lastHeartbeat },
      { logger: quietLogger },
    );
    const result: TpuRunResult = await second.run(runTpu, executorOf('sandbox'), database.db, input);
    expect(result.exitCode).toBe(0);
    const lines = await logsOf(nc.id);
    expectContiguous(lines);
    const firstAttempt = lines.filter((l) => l.attempt === 1).map((l) => l.line);
    expect(firstAttempt).toEqual([
      '$ echo once-$TEVIS_RUN | tee -a attempts.txt',
      'once-1',
      '$ while [ ! -e go ]; do sleep 0.1; done',
    ]);
    // What the first attempt did to the worktree stays: the command ran twice, and it shows.
    expect(readFileSync(join(nc.worktree, 'attempts.txt'), 'utf8')).toBe('once-1\nonce-1\n');
    expect(lines[firstAttempt.length]).toMatchObject({
      attempt: 2,
      stream: 'tevis',
      line: 'run restarted: attempt 2, because the worker running it shut down; the lines below are printed again from the start',
    });
    expect(lines.slice(firstAttempt.length + 1).map((l) => [l.attempt, l.line])).toEqual(
      firstAttempt.map((line) => [2, line]),
    );
    expect(result.lastSeq).toBe(lines.length);
    const [event] = (await listEvents(database.db, SESSION)).filter(
      (e) => e.type === 'nanocycle.run_restarted' && e.data.nanocycleId === nc.id,
    );
    expect(event?.data).toMatchObject({
      run: 1,
      attempt: 2,
      reason: 'worker-shutdown',
      seq: firstAttempt.length + 1,
    });
  });

  it('kills everything in the sandbox when cancelled', async () => {
    const nc = await nanocycle();
    const marker = `tevis-marker-${randomBytes(4).toString('hex')}`;
    // The background shell carries the marker in its command line, which the host's /proc shows.
    const input = tpuInput(nc, { steps: [`sh -c 'sleep 60; : ${marker}' & echo started; wait`] });
    const env = new MockActivityEnvironment({}, { logger: quietLogger });
    const running = env.run(runTpu, executorOf('sandbox'), database.db, input);
    await waitFor('the run to start', async () => (await logsOf(nc.id)).some((l) => l.line === 'started'), {
      timeoutMs: 30_000,
    });
    expect(processesWith(marker).length).toBeGreaterThan(0);
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    await waitFor('every process of the sandbox to be gone', () => processesWith(marker).length === 0, {
      timeoutMs: 10_000,
    });
  });
});

describe('a project that requires an executor', () => {
  it('fails on a worker with another one (tpu-executor-not-allowed), running and recording nothing, and runs on its own', async () => {
    const nc = await nanocycle();
    const failure = await runTpu(
      executorOf('sandbox'),
      database.db,
      tpuInput(nc, { steps: ['touch ran'] }, { requiredExecutor: 'docker' }),
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ type: 'tpu-executor-not-allowed', nonRetryable: true });
    expect((failure as Error).message).toContain('TEVIS_TPU_EXECUTOR=docker');
    expect(existsSync(join(nc.worktree, 'ran'))).toBe(false);
    const [row] = await database.db.select().from(nanocycles).where(eq(nanocycles.id, nc.id));
    expect(row!.executor).toBeNull();
    const ran = await runTpu(
      executorOf('sandbox'),
      database.db,
      tpuInput(nc, { steps: ['touch ran'] }, { requiredExecutor: 'sandbox' }),
    );
    expect(ran).toMatchObject({ exitCode: 0, executor: 'sandbox' });
  });
});

describe('a retry on a worker with another executor', () => {
  it('fails retryably with tpu-executor-mismatch instead of starting the run a second time elsewhere', async () => {
    const nc = await nanocycle();
    const env = new MockActivityEnvironment(
      { attempt: 2, heartbeatDetails: { seq: 0, executor: 'docker' } satisfies TpuHeartbeat },
      { logger: quietLogger },
    );
    const failure = await env
      .run(runTpu, executorOf('sandbox'), database.db, tpuInput(nc, { steps: ['touch ran'] }))
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(failure).toMatchObject({ type: 'tpu-executor-mismatch', nonRetryable: false });
    expect(existsSync(join(nc.worktree, 'ran'))).toBe(false);
  });
});

describe('a worker without an executor', () => {
  it("counts a bwrap that cannot make a sandbox on this host as none: tpu-executor-missing with bwrap's reason", async () => {
    const fakeBwrap = join(base, 'bwrap-without-namespaces');
    writeFileSync(
      fakeBwrap,
      '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    const nc = await nanocycle();
    const failure = await runTpu(
      new SandboxTpuExecutor(database.db, fakeBwrap),
      database.db,
      tpuInput(nc, { steps: ['touch ran'] }),
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ type: 'tpu-executor-missing', nonRetryable: true });
    expect((failure as Error).message).toContain('No permissions to create new namespace');
    const [row] = await database.db.select().from(nanocycles).where(eq(nanocycles.id, nc.id));
    expect(row!.executor).toBeNull();
  });

  it('fails each run with tpu-executor-missing naming the fix, and records and runs nothing', async () => {
    const nc = await nanocycle();
    const failure = await runTpu(
      new NoTpuExecutor('TEVIS_TPU_EXECUTOR=none'),
      database.db,
      tpuInput(nc, { steps: ['touch ran'] }),
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ type: 'tpu-executor-missing', nonRetryable: true });
    expect((failure as Error).message).toMatch(/TEVIS_TPU_EXECUTOR=docker.*TEVIS_TPU_EXECUTOR=sandbox/s);
    expect(existsSync(join(nc.worktree, 'ran'))).toBe(false);
    const [row] = await database.db.select().from(nanocycles).where(eq(nanocycles.id, nc.id));
    expect(row!.executor).toBeNull();
  });
});

/** Live (not zombie) processes on the host whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (cmdline.includes(marker) && !/ Z /.test(stat.slice(stat.lastIndexOf(')'))))
        pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}
