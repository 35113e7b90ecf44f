import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protos from '@temporalio/proto';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionWorkflowId } from '../../contracts/ids.js';
import { startDockerEngine, TPU_TEST_IMAGE, type DockerEngine } from '../support/docker-engine.js';
import type { ApiClient } from '../support/api-client.js';
import { makeGitFixture } from '../support/git-fixtures.js';
import { HANG_MS, waitFor } from '../support/poll.js';
import { type ManagedProcess, ProcessSet } from '../support/processes.js';
import { stepLogger } from '../support/stack-probes.js';
import { type SplitStack, startSplitStack } from '../support/split-stack.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * Nanocycles end to end on the Docker executor: a dockerd of this file's own (test/support/
 * docker-engine.ts, image `tevis-tpu-test:latest` built from busybox-static), the suite's Temporal
 * and Postgres, and real git repositories. The same functional flows in the bubblewrap sandbox
 * are in nanocycle-lifecycle.test.ts; the executor's own unit-level behaviour (re-attach, two
 * attempts at once, timeouts) is in tpu-executor.test.ts.
 *
 * Nothing here waits on a clock: where a test must act while a TPU runs, the TPU waits at a gate
 * (a file in its worktree that the test creates) and says so in its output.
 *
 * "Exactly one container ever ran" is read from the engine's own event log (create / start /
 * destroy events filtered by the nanocycle's labels, replayed with since/until), which also
 * covers containers that were made and removed between two looks at the container list.
 */

let engine: DockerEngine;

beforeAll(async () => {
  engine = await startDockerEngine();
});

afterAll(async () => {
  await engine?.stop();
});

// ---------------------------------------------------------------------------------------------
// The engine's view

const labelsOf = (sessionId: string, nc: string) => [`tevis.session=${sessionId}`, `tevis.nanocycle=${nc}`];

/** Every container of the nanocycle, running or not. */
function containersOf(sessionId: string, nc: string): Promise<Docker.ContainerInfo[]> {
  return engine.docker.listContainers({ all: true, filters: { label: labelsOf(sessionId, nc) } });
}

interface ContainerEvent {
  Action: string;
  id: string;
  name: string;
}

/**
 * The engine's container events for the nanocycle since `sinceMs`, up to now. With `until` the
 * engine replays its event log and closes the stream, so this is a complete record of what it
 * did with the nanocycle's containers, not a sample.
 */
async function containerEventsOf(sessionId: string, nc: string, sinceMs: number): Promise<ContainerEvent[]> {
  const stream = (await engine.docker.getEvents({
    since: Math.floor(sinceMs / 1000) - 1,
    until: Math.ceil(Date.now() / 1000) + 1,
    filters: { type: ['container'], label: labelsOf(sessionId, nc) },
  } as object)) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map(
      (line) =>
        JSON.parse(line) as { Action: string; Actor: { ID: string; Attributes: Record<string, string> } },
    )
    .map((e) => ({ Action: e.Action, id: e.Actor.ID, name: e.Actor.Attributes.name ?? '' }));
}

function actions(events: ContainerEvent[], action: string): ContainerEvent[] {
  return events.filter((e) => e.Action === action);
}

/** Where the container sees its worktree (/workspace), on the host. */
async function worktreeOf(container: Docker.ContainerInfo): Promise<string> {
  const inspected = await engine.docker.getContainer(container.Id).inspect();
  const mount = inspected.Mounts.find((m) => m.Destination === '/workspace');
  if (!mount) throw new Error(`container ${container.Id} has no /workspace mount`);
  return mount.Source;
}

/** A run step that says it waits, then waits until the test creates `.gate-<name>` in the worktree, and removes it. */
const gate = (name: string) =>
  `echo waiting-at-${name}; while [ ! -e .gate-${name} ]; do sleep 0.1; done; rm .gate-${name}`;

async function openGate(container: Docker.ContainerInfo, name: string): Promise<void> {
  await writeFile(join(await worktreeOf(container), `.gate-${name}`), '');
}

// ---------------------------------------------------------------------------------------------
// SSE

/** Reads the nanocycle's live log stream until `until(lines)` holds; returns the lines read. */
async function readLogStream(
  url: string,
  token: string,
  until: (lines: string[]) => boolean,
): Promise<string[]> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error('the log stream did not deliver in time (a hang)')),
    HANG_MS,
  );
  const lines: string[] = [];
  try {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trimStart())
          .join('\n');
        if (data) lines.push((JSON.parse(data) as { line: string }).line);
      }
      if (until(lines)) return lines;
    }
    throw new Error(`the log stream ended early after ${JSON.stringify(lines)}`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

// ---------------------------------------------------------------------------------------------
// A worker in this process, on the test engine

describe('nanocycles on the docker executor', () => {
  let h: Harness;
  let remote = '';
  let savedDockerHost: string | undefined;
  let projects = 0;

  beforeAll(async () => {
    // The worker's executor comes from the harness's env; the test's own engine checks use DOCKER_HOST too.
    savedDockerHost = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = engine.dockerHost;
    h = await startHarness({
      database: 'postgres',
      label: 'nc-docker',
      env: { TEVIS_TPU_EXECUTOR: 'docker', DOCKER_HOST: engine.dockerHost },
    });
    remote = (await makeGitFixture(join(h.home, 'fixture'))).remote;
  });

  afterAll(async () => {
    await h?.stop();
    if (savedDockerHost === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = savedDockerHost;
  });

  async function activeSession(
    execution: Record<string, unknown> = {},
  ): Promise<{ id: string; workspace: string }> {
    const name = `ncd-${++projects}`;
    await createProject(h, { name, repository: remote, execution: { image: TPU_TEST_IMAGE, ...execution } });
    const { session } = await createActiveSession(h, { project: name });
    return { id: session.id, workspace: session.workspacePath };
  }

  const nanocycleRow = (sessionId: string, nc: string, wanted: string[]) =>
    h.api.waitForNanocycle(sessionId, nc, wanted);
  const logLines = (sessionId: string, nc: string) => h.api.logLines(sessionId, nc);

  /** The one container of the nanocycle, once its output shows it waits at `gateName`. */
  async function containerWaitingAt(
    sessionId: string,
    nc: string,
    gateName: string,
  ): Promise<Docker.ContainerInfo> {
    await waitFor(`${nc} to wait at ${gateName}`, async () =>
      (await logLines(sessionId, nc)).some((l) => l.line === `waiting-at-${gateName}`),
    );
    const list = await containersOf(sessionId, nc);
    expect(list).toHaveLength(1);
    return list[0]!;
  }

  it('runs in a container, streams, commits, waits at merge, is approved and merged; its one container is removed', async () => {
    const { id, workspace } = await activeSession();
    const since = Date.now();
    const steps = [
      'echo hello from $TEVIS_NANOCYCLE_ID',
      'echo to-stderr >&2',
      gate('run'),
      'printf "hi\\n" > GREETING.md',
    ];
    const created = await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'greeting', run: steps });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: 'NC-001', status: 'queued', branch: 'feat/nc-001-greeting' });

    // Live: the SSE stream delivers the first lines while the TPU still runs (it waits at the gate).
    // Across stdout and stderr the engine gives no order (two pipes, copied apart: a stderr line can
    // land after a stdout line printed just after it), so order is checked within each stream.
    const streamed = await readLogStream(
      `${h.apiUrl}/sessions/${id}/nanocycles/NC-001/logs/stream`,
      h.token,
      (lines) => lines.includes('waiting-at-run'),
    );
    expect(streamed.filter((l) => l !== 'to-stderr')).toEqual([
      '$ echo hello from $TEVIS_NANOCYCLE_ID',
      'hello from NC-001',
      '$ echo to-stderr >&2',
      `$ ${steps[2]}`,
      'waiting-at-run',
    ]);

    // While it runs: exactly one container, running, named and labelled after the nanocycle.
    const container = await containerWaitingAt(id, 'NC-001', 'run');
    expect(container.State).toBe('running');
    expect(container.Image).toBe(TPU_TEST_IMAGE);
    expect(container.Names).toHaveLength(1);
    expect(container.Names[0]).toMatch(new RegExp(`^/tevis-${id}-nc-001-[0-9a-f]{8}$`));
    expect(container.Labels).toMatchObject({ 'tevis.session': id, 'tevis.nanocycle': 'NC-001' });
    expect(container.Labels['tevis.run']).toMatch(/^[0-9a-f]{8}$/);
    expect((await nanocycleRow(id, 'NC-001', ['running'])).status).toBe('running');
    await openGate(container, 'run');

    const hold = await h.api.waitForPendingHold(id, 'merge');
    expect(hold).toMatchObject({ id: 'HP-001-merge', nanocycleId: 'NC-001' });
    const row = await nanocycleRow(id, 'NC-001', ['awaiting_approval']);
    expect(row.executor).toBe('docker');
    expect(row.data.commit).toMatch(/^[0-9a-f]{40}$/);
    // The workflow removes the container once it has the result, before it commits.
    expect(await containersOf(id, 'NC-001')).toHaveLength(0);

    const logs = await logLines(id, 'NC-001');
    expect(logs.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual([
      '$ echo hello from $TEVIS_NANOCYCLE_ID',
      'hello from NC-001',
      '$ echo to-stderr >&2',
      `$ ${steps[2]}`,
      'waiting-at-run',
      `$ ${steps[3]}`,
    ]);
    expect(logs.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['to-stderr']);
    expect(logs.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);

    // The commit has the TPU's file and nothing of the gate; the worktree came back to the worker.
    const diff = (await h.call('GET', `/sessions/${id}/nanocycles/NC-001/diff`)).json;
    expect(diff.files).toEqual([{ path: 'GREETING.md', additions: 1, deletions: 0 }]);
    expect(existsSync(join(workspace, 'GREETING.md'))).toBe(false);

    expect(
      (await h.call('POST', `/sessions/${id}/holds/HP-001-merge/approve`, { comment: 'looks good' })).status,
    ).toBe(200);
    await nanocycleRow(id, 'NC-001', ['merged']);
    expect(readFileSync(join(workspace, 'GREETING.md'), 'utf8')).toBe('hi\n');
    expect(statSync(join(workspace, 'GREETING.md')).uid).toBe(process.getuid!());

    // Ever: one container made, started once, removed once.
    expect(await containersOf(id, 'NC-001')).toHaveLength(0);
    const events = await containerEventsOf(id, 'NC-001', since);
    expect(actions(events, 'create').map((e) => e.id)).toEqual([container.Id]);
    expect(actions(events, 'start').map((e) => e.id)).toEqual([container.Id]);
    expect(actions(events, 'destroy').map((e) => e.id)).toEqual([container.Id]);

    const timeline = (await h.api.events(id)).map((e) => e.type);
    for (const type of [
      'nanocycle.queued',
      'nanocycle.started',
      'nanocycle.completed',
      'holdpoint.opened',
      'holdpoint.resolved',
      'nanocycle.merged',
    ])
      expect(timeline).toContain(type);
    expect((await h.call('POST', `/sessions/${id}/end`)).status).toBe(200);
    const summary = (await h.call('GET', `/sessions/${id}/summary`)).json;
    expect(summary.nanocycles).toMatchObject({ total: 1, byStatus: { merged: 1 } });
  });

  it('holds the sandbox from inside a nanocycle: loopback only, not root, nothing outside the worktree writable, no engine socket', async () => {
    const { id, workspace } = await activeSession({ holdMerge: false });
    // Each observation goes to SANDBOX.txt in the worktree, so what the TPU saw is committed and merged.
    const sockets = ['/var/run/docker.sock', '/run/docker.sock', engine.socketPath];
    const steps = [
      'cat /proc/net/dev > NETDEV.txt',
      'echo "uid=$(id -u)" >> SANDBOX.txt',
      'touch /x 2>/dev/null && echo "/x=writable" >> SANDBOX.txt || echo "/x=refused" >> SANDBOX.txt',
      'touch /bin/x 2>/dev/null && echo "/bin/x=writable" >> SANDBOX.txt || echo "/bin/x=refused" >> SANDBOX.txt',
      'touch /etc/x 2>/dev/null && echo "/etc/x=writable" >> SANDBOX.txt || echo "/etc/x=refused" >> SANDBOX.txt',
      `for s in ${sockets.join(' ')}; do if [ -e "$s" ]; then echo "socket $s=present"; else echo "socket $s=absent"; fi; done >> SANDBOX.txt`,
      'echo "DOCKER_HOST=${DOCKER_HOST:-unset}" >> SANDBOX.txt',
      'echo "workspace=$(pwd)" >> SANDBOX.txt',
    ];
    expect((await h.call('POST', `/sessions/${id}/nanocycles`, { name: 'sandbox', run: steps })).status).toBe(
      201,
    );
    const row = await nanocycleRow(id, 'NC-001', ['merged']);
    expect(row.executor).toBe('docker');

    const interfaces = readFileSync(join(workspace, 'NETDEV.txt'), 'utf8')
      .split('\n')
      .slice(2)
      .filter((l) => l.trim())
      .map((l) => l.trim().split(':')[0]);
    expect(interfaces).toEqual(['lo']);

    const seen = readFileSync(join(workspace, 'SANDBOX.txt'), 'utf8').trim().split('\n');
    const uid = Number(seen.find((l) => l.startsWith('uid='))!.slice(4));
    expect(uid).not.toBe(0);
    expect(seen).toEqual([
      `uid=${uid}`,
      '/x=refused',
      '/bin/x=refused',
      '/etc/x=refused',
      ...sockets.map((s) => `socket ${s}=absent`),
      'DOCKER_HOST=unset',
      'workspace=/workspace',
    ]);
    // The record shows the steps ran there, in order, once.
    const logs = (await logLines(id, 'NC-001')).map((l) => l.line);
    expect(logs).toEqual(steps.map((s) => `$ ${s}`));
    expect(await containersOf(id, 'NC-001')).toHaveLength(0);
    await h.call('POST', `/sessions/${id}/end`);
  });

  it('cancels a running nanocycle: status cancelled, its container stopped and removed', async () => {
    const { id, workspace } = await activeSession();
    const since = Date.now();
    expect(
      (
        await h.call('POST', `/sessions/${id}/nanocycles`, {
          name: 'sleepy',
          run: ['echo started > STARTED.md', 'echo started', 'sleep 60'],
        })
      ).status,
    ).toBe(201);
    await waitFor('the run to start', async () =>
      (await logLines(id, 'NC-001')).some((l) => l.line === 'started'),
    );
    const [container] = await containersOf(id, 'NC-001');
    expect(container?.State).toBe('running');

    const began = performance.now();
    const cancelled = await h.call('POST', `/sessions/${id}/nanocycles/NC-001/cancel`);
    console.log(
      `[nanocycle-docker] cancel answered after ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
    expect(cancelled.status).toBe(200);
    // The Update answers once the child has ended, and the child once the activity has removed its
    // container (cancellation type WAIT_CANCELLATION_COMPLETED): all of it holds at the answer.
    expect(cancelled.json).toMatchObject({ id: 'NC-001', status: 'cancelled' });
    expect(await containersOf(id, 'NC-001')).toHaveLength(0);
    const row = (await h.api.nanocycles(id)).find((n) => n.id === 'NC-001');
    expect(row?.status).toBe('cancelled');
    expect(row?.data.detail).toBe('cancelled by request');

    const events = await containerEventsOf(id, 'NC-001', since);
    expect(actions(events, 'create').map((e) => e.id)).toEqual([container!.Id]);
    expect(actions(events, 'destroy').map((e) => e.id)).toEqual([container!.Id]);
    // Nothing of the cancelled work reaches the session branch; the worktree is the worker's again.
    expect(existsSync(join(workspace, 'STARTED.md'))).toBe(false);
    const worktree = container!.Mounts.find((m) => m.Destination === '/workspace')!.Source;
    expect(statSync(join(worktree, 'STARTED.md')).uid).toBe(process.getuid!());
    const timeline = (await h.api.events(id)).map((e) => e.type);
    expect(timeline).toContain('nanocycle.cancelled');
    expect(timeline).not.toContain('nanocycle.completed');
    expect((await h.call('POST', `/sessions/${id}/nanocycles/NC-001/cancel`)).status).toBe(409);
    await h.call('POST', `/sessions/${id}/end`);
  });
});

// ---------------------------------------------------------------------------------------------
// A worker process, killed while its TPU runs

describe('durability: SIGKILL of the worker while a TPU container runs', () => {
  const processes = new ProcessSet();
  let root: string;
  let stack: SplitStack | undefined;
  let http: ApiClient;
  let workerEnv: NodeJS.ProcessEnv;
  let remote = '';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tevis-nc-kill-'));
    remote = (await makeGitFixture(join(root, 'fixture'))).remote;
    // The API in this process; the workers are processes of their own that share Postgres,
    // Temporal and the container engine with it.
    stack = await startSplitStack(root, 'nc-kill');
    http = stack.http;
    workerEnv = stack.workerEnv(join(root, 'worker-home'), {
      TEVIS_TPU_EXECUTOR: 'docker',
      DOCKER_HOST: engine.dockerHost,
    });
  });

  afterAll(async () => {
    await processes.killAll();
    // No session workflow of this file is left open on the shared server once its workers are gone.
    await stack?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** The child workflow's pending runTpu activity: its attempt and state as the server reports them. */
  async function pendingTpuActivity(
    sessionId: string,
  ): Promise<{ attempt: number; started: boolean } | undefined> {
    const childId = `${sessionWorkflowId(sessionId)}-NC-001`;
    const description = await stack!.client.workflow.getHandle(childId).describe();
    const pending = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'runTpu');
    if (!pending) return undefined;
    return {
      attempt: pending.attempt ?? 0,
      started:
        pending.state === protos.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
    };
  }

  it('a new worker re-attaches: one container ever, every line on the record once, the nanocycle completes', async () => {
    const step = stepLogger('nanocycle-docker-kill');
    await http.ok(
      'POST',
      '/projects',
      { name: 'nc-kill', repository: remote, execution: { image: TPU_TEST_IMAGE, holdMerge: false } },
      201,
    );
    const first: ManagedProcess = processes.spawnTevis('worker-1', 'worker', workerEnv);
    const created = await http.ok('POST', '/sessions', { project: 'nc-kill' }, 201);
    const id: string = created.id;
    const session = (await http.waitForStatus(id, 'active', { alive: [first], timeoutMs: 240_000 })) as {
      workspacePath: string;
    };
    step('worker 1 up; session active');

    const since = Date.now();
    // Prints a few lines, then ticks until the test opens the gate (so it is still running, and
    // printing, while no worker is attached), then prints more and changes a file.
    const work = [
      'for i in 1 2 3; do echo before-$i; done',
      'n=0; while [ ! -e .gate-release ]; do n=$((n+1)); echo tick-$n; sleep 0.2; done; rm .gate-release',
      'for i in 1 2 3; do echo after-$i; done; echo done > DONE.md',
    ];
    await http.ok('POST', `/sessions/${id}/nanocycles`, { name: 'survivor', run: work }, 201);
    const logsPath = `/sessions/${id}/nanocycles/NC-001/logs`;
    const lines = async (): Promise<
      Array<{ seq: number; run: number; attempt: number; stream: string; line: string }>
    > => (await http.ok('GET', logsPath)).lines;
    await waitFor('a few ticks on the record', async () => (await lines()).some((l) => l.line === 'tick-3'), {
      alive: [first],
    });
    const before = await containersOf(id, 'NC-001');
    expect(before).toHaveLength(1);
    expect(before[0]!.State).toBe('running');
    step('TPU running, its output on the record');

    const killed = await first.kill();
    expect(killed.signal).toBe('SIGKILL');
    // The container outlives its worker: still running, still the only one.
    const orphaned = await containersOf(id, 'NC-001');
    expect(orphaned.map((c) => [c.Id, c.State])).toEqual([[before[0]!.Id, 'running']]);
    const recordedAtKill = (await lines()).length;
    step(`worker 1 killed with ${recordedAtKill} lines on the record`);

    const second = processes.spawnTevis('worker-2', 'worker', workerEnv);
    // The server notices the dead worker by its heartbeat timeout and hands the activity to the
    // new worker as attempt 2; it re-attaches to the running container and reads on.
    await waitFor(
      'attempt 2 of runTpu to start on worker 2',
      async () => {
        const pending = await pendingTpuActivity(id);
        return pending && pending.attempt >= 2 && pending.started ? pending : undefined;
      },
      { alive: [second], timeoutMs: 240_000 },
    );
    await waitFor(
      'worker 2 to record lines past those worker 1 did',
      async () => (await lines()).length > recordedAtKill,
      { alive: [second] },
    );
    const during = await containersOf(id, 'NC-001');
    expect(during.map((c) => [c.Id, c.State])).toEqual([[before[0]!.Id, 'running']]);
    step('attempt 2 re-attached and streaming');
    await openGate(during[0]!, 'release');

    const row = await waitFor(
      'NC-001 to be merged',
      async () => {
        const nc = (await http.nanocycles(id)).find((n) => n.id === 'NC-001');
        if (nc && ['failed', 'cancelled', 'conflict'].includes(nc.status))
          throw Object.assign(new Error(`NC-001 is ${nc.status}: ${JSON.stringify(nc.data)}`), {
            fatal: true,
          });
        return nc?.status === 'merged' ? nc : undefined;
      },
      { alive: [second] },
    );
    expect(row.executor).toBe('docker');
    step('NC-001 merged');

    // Exactly one container ever ran for the nanocycle: the engine made and started one, and removed it.
    expect(await containersOf(id, 'NC-001')).toHaveLength(0);
    const events = await containerEventsOf(id, 'NC-001', since);
    expect(actions(events, 'create').map((e) => e.id)).toEqual([before[0]!.Id]);
    expect(actions(events, 'start').map((e) => e.id)).toEqual([before[0]!.Id]);
    expect(actions(events, 'destroy').map((e) => e.id)).toEqual([before[0]!.Id]);

    // Its output is on the record once, in order, without gaps: every tick, including those printed
    // while no worker was attached, exactly once.
    const record = await lines();
    expect(record.map((l) => l.seq)).toEqual(record.map((_, i) => i + 1));
    expect(record.every((l) => l.run === 1 && l.stream === 'stdout')).toBe(true);
    const ticks = record.filter((l) => l.line.startsWith('tick-')).map((l) => l.line);
    expect(ticks.length).toBeGreaterThan(3);
    expect(ticks).toEqual(ticks.map((_, i) => `tick-${i + 1}`));
    expect(record.map((l) => l.line)).toEqual([
      `$ ${work[0]}`,
      'before-1',
      'before-2',
      'before-3',
      `$ ${work[1]}`,
      ...ticks,
      `$ ${work[2]}`,
      'after-1',
      'after-2',
      'after-3',
    ]);

    // It completed and merged once: one of each event on the timeline, the file on the session branch.
    const timeline = await http.events(id);
    const count = (type: string) =>
      timeline.filter((e) => e.type === type && e.data.nanocycleId === 'NC-001').length;
    expect([count('nanocycle.started'), count('nanocycle.completed'), count('nanocycle.merged')]).toEqual([
      1, 1, 1,
    ]);
    // The take-over is on the timeline too, as a pick-up, not a restart: no line was repeated.
    expect(count('nanocycle.run_restarted')).toBe(0);
    const [reattached] = timeline.filter((e) => e.type === 'nanocycle.run_reattached');
    expect(reattached?.data).toMatchObject({
      nanocycleId: 'NC-001',
      run: 1,
      attempt: 2,
      reason: 'worker-lost',
    });
    expect(reattached?.data.seq).toBeGreaterThanOrEqual(recordedAtKill);
    // Each line with the attempt that stored it: the first worker's, then the second's.
    const attempts = record.map((l) => l.attempt);
    expect(attempts.slice(0, recordedAtKill)).toEqual(Array(recordedAtKill).fill(1));
    expect(attempts.at(-1)).toBe(2);
    expect(readFileSync(join(session.workspacePath, 'DONE.md'), 'utf8')).toBe('done\n');
    const ended = await http.ok('POST', `/sessions/${id}/end`);
    expect(ended.status).toBe('ended');
    step('session ended');
  }, 420_000);
});
