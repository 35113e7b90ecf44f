import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine } from '../../contracts/nanocycle-records.js';
import type { TimelineEvent } from '../../contracts/timeline.js';
import { idempotencyKeys } from '../../db/schema.js';
import { ApiClient } from '../support/api-client.js';
import { ensureBubblewrap } from '../support/bubblewrap.js';
import { describeRun, runCli } from '../support/cli-run.js';
import { expectProblem } from '../support/expect-problem.js';
import { freeLoopbackPort } from '../support/free-port.js';
import { makeGitFixture, SMALL_REPOSITORY } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { cleanEnv, type ManagedProcess, ProcessSet } from '../support/processes.js';
import { type SplitStack, startSplitStack } from '../support/split-stack.js';
import { countTypes, waitForHealth } from '../support/stack-probes.js';
import { openSse, type SseClient } from '../support/sse-client.js';

/**
 * Two `tevis api` processes (A and B) in homes of their own, sharing only Postgres, Temporal, the
 * token and the codec key, with one `tevis worker`: what one instance wrote, the other serves.
 *
 * Both APIs run with `TEVIS_STREAM_POLL_MS=0`, so a stream wakes on Postgres NOTIFY alone
 * (api/sse-by-sequence.ts): were the notification not sent or not heard across processes, B's
 * streams would never see what A and the worker write after they opened, and the waits below
 * would hang until their timeout instead of passing on the safety poll.
 */

const PROJECT = 'two-apis';

describe('two API instances', () => {
  const processes = new ProcessSet();
  let root: string;
  let workerHome: string;
  let stack: SplitStack | undefined;
  let workerEnv: NodeJS.ProcessEnv;
  let worker: ManagedProcess;
  let apiA: ManagedProcess;
  let apiB: ManagedProcess;
  let a: ApiClient;
  let b: ApiClient;
  let sessionId: string;

  const startApi = async (name: string): Promise<[ManagedProcess, ApiClient]> => {
    const port = await freeLoopbackPort();
    const env = stack!.workerEnv(join(root, `${name}-home`), {
      TEVIS_PORT: String(port),
      TEVIS_STREAM_POLL_MS: '0',
    });
    const proc = processes.spawnTevis(name, 'api', env);
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, proc);
    return [proc, new ApiClient(url, stack!.http.token)];
  };
  const startWorker = () => (worker = processes.spawnTevis('worker', 'worker', workerEnv));
  const timelineOn = (api: ApiClient) =>
    openSse<TimelineEvent>(`${api.url}/sessions/${sessionId}/events/stream`, { token: api.token });
  /** Waits until `stream` has every event the record holds now, then checks it holds them once, in order. */
  const expectWholeTimeline = async (stream: SseClient<TimelineEvent>) => {
    const timeline = await b.events(sessionId);
    const last = timeline.at(-1)!.seq;
    await stream.until(`event ${last} on the stream`, (items) => (items.at(-1)?.seq ?? 0) >= last);
    expect(stream.items.slice(0, timeline.length)).toEqual(timeline);
    expect(stream.items.map((e) => e.seq)).toEqual(stream.items.map((_, i) => i + 1));
    return timeline;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tevis-api-instances-'));
    workerHome = join(root, 'worker-home');
    const [repo, bwrap] = await Promise.all([
      makeGitFixture(join(root, 'repo'), { only: SMALL_REPOSITORY }),
      ensureBubblewrap(),
    ]);
    stack = await startSplitStack(root, 'api-instances');
    workerEnv = stack.workerEnv(workerHome, {
      TEVIS_TPU_EXECUTOR: 'sandbox',
      PATH: `${dirname(bwrap)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    });
    startWorker();
    [[apiA, a], [apiB, b]] = await Promise.all([startApi('api-a'), startApi('api-b')]);
    await a.ok('POST', '/projects', { name: PROJECT, repository: repo.fileUrl, defaultBranch: 'main' }, 201);
    sessionId = (await a.ok('POST', '/sessions', { project: PROJECT }, 201)).id;
    await b.waitForStatus(sessionId, 'active', { alive: [worker, apiB] });
  }, 300_000);

  afterAll(async () => {
    await processes.killAll();
    await stack?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("B's timeline and log streams deliver what A and the worker write, each event once, in order, on NOTIFY alone", async () => {
    const history = await b.events(sessionId);
    const timeline = await timelineOn(b);
    expect(timeline.status).toBe(200);
    await timeline.until('the history on B', (items) => items.length >= history.length);

    await a.ok('POST', `/sessions/${sessionId}/pause`);
    await timeline.until('session.paused on B', (items) => items.some((e) => e.type === 'session.paused'));
    await a.ok('POST', `/sessions/${sessionId}/resume`);
    await timeline.until('session.resumed on B', (items) => items.some((e) => e.type === 'session.resumed'));

    // The run waits for a file the test writes once B follows its output, so its later lines are
    // written (by the worker) while B's log stream is open.
    const run = [
      'echo before-go',
      'while [ ! -e go ]; do sleep 0.2; done',
      'echo after-go',
      'echo hi > HI.md',
    ];
    await a.ok('POST', `/sessions/${sessionId}/nanocycles`, { name: 'greeting', run }, 201);
    const logs = await openSse<LogLine>(`${b.url}/sessions/${sessionId}/nanocycles/NC-001/logs/stream`, {
      token: b.token,
    });
    expect(logs.status).toBe(200);
    await logs.until('before-go on B', (lines) => lines.some((l) => l.line === 'before-go'));
    const beforeGo = logs.items.length;
    await writeFile(join(workerHome, 'worktrees', sessionId, 'NC-001', 'go'), '');
    await logs.until('after-go on B', (lines) => lines.some((l) => l.line === 'after-go'));

    const hold = await b.waitForPendingHold(sessionId, 'merge', { alive: [worker, apiB] });
    await a.ok('POST', `/sessions/${sessionId}/holds/${hold.id}/approve`, {});
    await b.waitForNanocycle(sessionId, 'NC-001', ['merged'], { alive: [worker, apiB] });

    const all = await expectWholeTimeline(timeline);
    const live = countTypes(all.slice(history.length));
    for (const type of [
      'session.paused',
      'session.resumed',
      'nanocycle.queued',
      'nanocycle.started',
      'nanocycle.completed',
      'holdpoint.opened',
      'holdpoint.resolved',
      'nanocycle.merged',
    ])
      expect(live[type], type).toBeGreaterThanOrEqual(1);

    // The log stream ends with the nanocycle: by then it holds every line once, in order.
    await logs.until('the log stream to end', () => logs.closedByServer());
    const lines = await a.logLines(sessionId, 'NC-001');
    expect(logs.items).toEqual(lines);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    expect(lines.length).toBeGreaterThan(beforeGo);
    await Promise.all([timeline.close(), logs.close()]);
    // Longer than a wait's own hang timeout, so a stream that never wakes is named by its wait.
  }, 300_000);

  it('a read on B right after a command through A shows its effect, git facts included', async () => {
    // B's cache of the workspace's git facts, filled now (api/session-facts-cache.ts). Were the
    // entry kept past A's event, B would answer from it for its 2 s: the workspace as before.
    const before = await b.session(sessionId);
    expect(before.state.workspace?.modifiedFiles).not.toContain('notes/from-a.md');
    await a.ok('PUT', `/sessions/${sessionId}/files?path=notes/from-a.md`, 'written through A\n');
    const after = await b.session(sessionId);
    expect(after.state.workspace?.modifiedFiles).toContain('notes/from-a.md');
    expect(after.state.workspace?.gitStatus).toBe('dirty');

    await a.ok('POST', `/sessions/${sessionId}/pause`);
    expect((await b.session(sessionId)).session.status).toBe('paused');
    await a.ok('POST', `/sessions/${sessionId}/resume`);
    expect((await b.session(sessionId)).session.status).toBe('active');
  });

  it("an Idempotency-Key sent to A and retried on B gets A's answer, and the command runs once", async () => {
    const pausedBefore = countTypes(await b.events(sessionId))['session.paused'] ?? 0;
    const key = randomUUID();
    const headers = { 'Idempotency-Key': key };
    const first = await a.call('POST', `/sessions/${sessionId}/pause`, undefined, { headers });
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const retried = await b.call('POST', `/sessions/${sessionId}/pause`, undefined, { headers });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.text).toBe(first.text);
    expect(countTypes(await b.events(sessionId))['session.paused']).toBe(pausedBefore + 1);
    await a.ok('POST', `/sessions/${sessionId}/resume`);
  });

  it('a retry on B while the first request still runs on A waits, answers 409 in-flight, then gets the first answer', async () => {
    const pausedBefore = countTypes(await b.events(sessionId))['session.paused'] ?? 0;
    // Without a worker, A's pause waits in its Update: the first request is still running.
    expect((await worker.kill()).signal).toBe('SIGKILL');
    const key = randomUUID();
    const headers = { 'Idempotency-Key': key };
    const first = a.call('POST', `/sessions/${sessionId}/pause`, undefined, { headers });
    await waitFor('A to claim the key', async () => {
      const rows = await stack!.database.db
        .select({ status: idempotencyKeys.status })
        .from(idempotencyKeys)
        .where(eq(idempotencyKeys.key, key));
      return rows[0]?.status === 'running';
    });

    // B waits for A's answer (15 s, README), then says to come back.
    const early = await b.call('POST', `/sessions/${sessionId}/pause`, undefined, { headers });
    expectProblem(early, 409, 'idempotency-key-in-flight');
    expect(Number(early.headers.get('retry-after'))).toBeGreaterThan(0);

    startWorker();
    const answered = await first;
    expect(answered.status).toBe(200);
    const late = await b.call('POST', `/sessions/${sessionId}/pause`, undefined, { headers });
    expect(late.status).toBe(200);
    expect(late.headers.get('idempotent-replayed')).toBe('true');
    expect(late.text).toBe(answered.text);
    expect(countTypes(await b.events(sessionId))['session.paused']).toBe(pausedBefore + 1);
    await a.ok('POST', `/sessions/${sessionId}/resume`);
  });

  it("with A killed, B's open stream goes on and a CLI pointed at B works", async () => {
    const timeline = await timelineOn(b);
    const onA = await timelineOn(a);
    const seen = (await b.events(sessionId)).length;
    await timeline.until('the history on B', (items) => items.length >= seen);

    expect((await apiA.kill()).signal).toBe('SIGKILL');
    const cliEnv = cleanEnv({
      TEVIS_HOME: join(root, 'cli-home'),
      TEVIS_API_URL: b.url,
      TEVIS_API_TOKEN: b.token,
    });
    const tevis = async (...args: string[]) => {
      const run = await runCli(processes, [...args, '--json'], cliEnv);
      expect(run.code, describeRun(run)).toBe(0);
      return run.json;
    };
    expect(await tevis('session', 'pause', sessionId)).toMatchObject({ id: sessionId, status: 'paused' });
    expect(await tevis('session', 'resume', sessionId)).toMatchObject({ id: sessionId, status: 'active' });
    await tevis('session', 'end', sessionId);

    // B's stream got every event written after A died, then ended with the session.
    await timeline.until('the stream on B to end with the session', () => timeline.closedByServer());
    expect(timeline.endReason()).not.toBeNull();
    const all = await b.events(sessionId);
    expect(timeline.items).toEqual(all);
    expect(countTypes(all.slice(seen))).toMatchObject({ 'session.paused': 1, 'session.resumed': 1 });
    expect(all.at(-1)!.type).toBe('session.ended');
    await Promise.all([timeline.close(), onA.close()]);
  });
});
