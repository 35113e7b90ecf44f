import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { ensureBubblewrap } from '../support/bubblewrap.js';
import { freeLoopbackPort } from '../support/free-port.js';
import { makeGitFixture, SMALL_REPOSITORY } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { type ManagedProcess, ProcessSet } from '../support/processes.js';
import { TEVIS_BIN } from '../support/repo-paths.js';
import { type SplitStack, startSplitStack } from '../support/split-stack.js';
import { waitForHealth } from '../support/stack-probes.js';

/**
 * A real `tevis api` and a real `tevis worker` (runtime/logger.ts, api/request-log.ts,
 * runtime/temporal-logger.ts), sharing Postgres and Temporal, run a session and a nanocycle; then
 * their stderr is read as what a log collector would get. Both run with `--json`, so no progress
 * line is written: stderr is the log alone. The database URL carries a password (the test cluster
 * trusts loopback logins, so any password connects), to see it never reach a line.
 */

const PROJECT = 'json-logs';
const DB_PASSWORD = 'pw-json-logs-9f3k2';

type LogLine = Record<string, unknown>;

/** Every stderr line of `proc` from its start, whole lines only. */
function collectStderr(proc: ManagedProcess): { text(): string } {
  let text = '';
  proc.child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { text: () => text.slice(0, text.lastIndexOf('\n') + 1) };
}

function jsonLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`a stderr line is not JSON: ${line}`);
      }
    });
}

describe('JSON logs of tevis api and tevis worker', () => {
  const processes = new ProcessSet();
  let root: string;
  let stack: SplitStack | undefined;
  let worker: ManagedProcess;
  let api: ManagedProcess;
  let workerLog: { text(): string };
  let apiLog: { text(): string };
  let http: ApiClient;
  let sessionId: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tevis-json-logs-'));
    const [repo, bwrap] = await Promise.all([
      makeGitFixture(join(root, 'repo'), { only: SMALL_REPOSITORY }),
      ensureBubblewrap(),
    ]);
    stack = await startSplitStack(root, 'json-logs');
    const port = await freeLoopbackPort();
    const base = stack.workerEnv(join(root, 'home'));
    const databaseUrl = new URL(base.DATABASE_URL!);
    databaseUrl.password = DB_PASSWORD;
    env = {
      ...base,
      DATABASE_URL: databaseUrl.toString(),
      TEVIS_PORT: String(port),
      TEVIS_TPU_EXECUTOR: 'sandbox',
      PATH: `${dirname(bwrap)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    };
    const spawn = (part: 'worker' | 'api', home: string) =>
      processes.spawn(part, process.execPath, [TEVIS_BIN, part, '--json'], {
        env: { ...env, TEVIS_HOME: join(root, home) },
      });
    worker = spawn('worker', 'worker-home');
    workerLog = collectStderr(worker);
    api = spawn('api', 'api-home');
    apiLog = collectStderr(api);
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, api);
    http = new ApiClient(url, stack.http.token);

    await http.ok(
      'POST',
      '/projects',
      { name: PROJECT, repository: repo.fileUrl, defaultBranch: 'main' },
      201,
    );
    sessionId = (await http.ok('POST', '/sessions', { project: PROJECT }, 201)).id;
    await http.waitForStatus(sessionId, 'active', { alive: [worker, api] });
    await http.ok(
      'POST',
      `/sessions/${sessionId}/nanocycles`,
      { name: 'hello', run: ['echo hello', 'echo hi > HI.md'] },
      201,
    );
    await http.waitForPendingHold(sessionId, 'merge', { alive: [worker, api] });
    await http.session(sessionId);
    // The worker's lines reach this process through a pipe: wait for the run's last one.
    await waitFor(
      "the worker's line for the end of NC-001's TPU run",
      () => jsonLines(workerLog.text()).some((l) => l.msg === 'TPU run ended' && l.nanocycleId === 'NC-001'),
      { alive: [worker] },
    );
  }, 300_000);

  afterAll(async () => {
    await processes.killAll();
    await stack?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('every stderr line of both processes is a JSON object with a level, a time and a message', () => {
    for (const text of [workerLog.text(), apiLog.text()]) {
      const lines = jsonLines(text);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(typeof line.level, JSON.stringify(line)).toBe('number');
        expect(typeof line.time, JSON.stringify(line)).toBe('string');
        expect(typeof line.msg, JSON.stringify(line)).toBe('string');
      }
    }
  });

  it("the API logs a line per request with its route pattern, status, duration and the path's session and nanocycle", () => {
    const requests = jsonLines(apiLog.text()).filter((l) => l.msg === 'request');
    const sessionRead = requests.find((l) => l.method === 'GET' && l.route === '/sessions/:id');
    expect(sessionRead).toMatchObject({ status: 200, sessionId });
    expect(typeof sessionRead?.durationMs).toBe('number');
    expect(requests.find((l) => l.method === 'POST' && l.route === '/sessions/:id/nanocycles')).toMatchObject(
      {
        status: 201,
        sessionId,
      },
    );
    expect(requests.find((l) => l.route === '/sessions/:id/holds')).toMatchObject({ sessionId });
    expect(requests.find((l) => l.route === '/health')).toMatchObject({ method: 'GET', status: 200 });
    expect(requests.filter((l) => l.route === '/health').every((l) => l.sessionId === undefined)).toBe(true);
  });

  it("the worker's lines carry the workflow id and, derived from it, the session and the nanocycle", () => {
    const lines = jsonLines(workerLog.text());
    const ofSession = lines.filter((l) => l.workflowId === `session-${sessionId}`);
    expect(ofSession.length).toBeGreaterThan(0);
    expect(ofSession.every((l) => l.sessionId === sessionId && l.nanocycleId === undefined)).toBe(true);
    expect(ofSession.some((l) => l.msg === 'workspace cloned')).toBe(true);

    const ofNanocycle = lines.filter((l) => l.workflowId === `session-${sessionId}-NC-001`);
    expect(ofNanocycle.every((l) => l.sessionId === sessionId && l.nanocycleId === 'NC-001')).toBe(true);
    expect(ofNanocycle.find((l) => l.msg === 'TPU run started')).toMatchObject({ executor: 'sandbox' });
    expect(ofNanocycle.find((l) => l.msg === 'TPU run ended')).toMatchObject({
      exitCode: 0,
      timedOut: false,
    });
  });

  it('under --json, what the processes say as they stop is a log line too', async () => {
    await Promise.all([api.stop('SIGTERM', 60_000), worker.stop('SIGTERM', 60_000)]);
    await Promise.all([api.closed, worker.closed]);
    for (const text of [workerLog.text(), apiLog.text()])
      expect(jsonLines(text).some((l) => l.msg === 'stopped' && l.level === 30)).toBe(true);
  });

  it('no line holds the API token, the codec key or the database password', () => {
    const all = workerLog.text() + apiLog.text();
    expect(env.TEVIS_API_TOKEN).toBeTruthy();
    expect(env.TEVIS_TEMPORAL_CODEC_KEY).toBeTruthy();
    for (const secret of [env.TEVIS_API_TOKEN!, env.TEVIS_TEMPORAL_CODEC_KEY!, DB_PASSWORD])
      expect(all).not.toContain(secret);
    // The SDK's activity lines carry the task token, which completes the activity: redacted.
    const tokens = jsonLines(workerLog.text()).filter((l) => 'taskToken' in l);
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.every((l) => l.taskToken === '[redacted]')).toBe(true);
  });
});
