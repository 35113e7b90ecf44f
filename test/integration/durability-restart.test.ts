import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sessionWorkflowId } from '../../contracts/ids.js';
import { SEARCH_ATTRIBUTES } from '../../runtime/run-parts.js';
import { startTemporalDevServer, type RunningDevServer } from '../../runtime/temporal-dev-server.js';
import { ApiClient } from '../support/api-client.js';
import { makeGitFixture, SMALL_REPOSITORY } from '../support/git-fixtures.js';
import { cleanEnv, type ManagedProcess, ProcessSet } from '../support/processes.js';
import { isPortOpen, readToken, stepLogger, waitForHealth } from '../support/stack-probes.js';
import { waitFor } from '../support/poll.js';
import { freeLoopbackPort } from '../support/free-port.js';

/**
 * DESIGN.md §4 / issue 2 part 9: Ctrl-C stops `tevis up` cleanly and the next `tevis up` finds
 * every open session where it was; and a Temporal dev server that goes away under a running
 * worker and API and comes back on the same port and file loses nothing.
 */

/**
 * The run and status straight from the frontend, as any client sees them: no payload is decoded
 * (they are sealed with the key of the `tevis up` under test, which this test does not hold).
 */
const { WorkflowExecutionStatus } = protos.temporal.api.enums.v1;

async function runIdOf(address: string, sessionId: string): Promise<{ runId: string; status: string }> {
  const connection = await Connection.connect({ address });
  try {
    const { workflowExecutionInfo: info } = await connection.workflowService.describeWorkflowExecution({
      namespace: 'default',
      execution: { workflowId: sessionWorkflowId(sessionId) },
    });
    const status = WorkflowExecutionStatus[
      info?.status ?? WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED
    ]!.replace('WORKFLOW_EXECUTION_STATUS_', '');
    return { runId: info?.execution?.runId ?? '', status };
  } finally {
    await connection.close();
  }
}

/** A clean stop: the process exits by itself (0, or 130 as shells report Ctrl-C), not by a kill. */
function expectCleanExit(
  exit: { code: number | null; signal: NodeJS.Signals | null },
  proc: ManagedProcess,
): void {
  expect(exit.signal, proc.describe()).toBeNull();
  expect([0, 130], proc.describe()).toContain(exit.code);
}

describe('durability: restarting `tevis up` and the Temporal dev server', () => {
  const processes = new ProcessSet();
  let root: string;
  let devServer: RunningDevServer | undefined;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tevis-dur-restart-'));
  });

  afterAll(async () => {
    await processes.killAll();
    await devServer?.stop().catch(() => {});
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('Ctrl-C on `tevis up`, then `tevis up` again: both sessions are there, answer, resume and end', async () => {
    const home = join(root, 'up-home');
    const apiPort = await freeLoopbackPort();
    const temporalPort = await freeLoopbackPort();
    const uiPort = await freeLoopbackPort();
    const env = cleanEnv({
      TEVIS_HOME: home,
      TEVIS_PORT: String(apiPort),
      TEVIS_TEMPORAL_PORT: String(temporalPort),
      TEVIS_TEMPORAL_UI_PORT: String(uiPort),
      TEMPORAL_CLI_PATH: inject('temporalCliPath'),
    });
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const temporalAddress = `127.0.0.1:${temporalPort}`;

    const step = stepLogger('durability-restart/up');
    const first = processes.spawnTevis('tevis-up-1', 'up', env);
    await waitForHealth(apiUrl, first);
    step('tevis up healthy');
    const token = await readToken(home);
    const http = new ApiClient(apiUrl, token);

    const alphaRepo = await makeGitFixture(join(root, 'alpha'), { only: SMALL_REPOSITORY });
    const betaRepo = await makeGitFixture(join(root, 'beta'), {
      defaultBranch: 'trunk',
      only: SMALL_REPOSITORY,
    });
    await http.ok('POST', '/projects', { name: 'alpha', repository: alphaRepo.remote }, 201);
    await http.ok(
      'POST',
      '/projects',
      { name: 'beta', repository: betaRepo.remote, defaultBranch: 'trunk' },
      201,
    );
    const a: string = (await http.ok('POST', '/sessions', { project: 'alpha' }, 201)).id;
    const b: string = (await http.ok('POST', '/sessions', { project: 'beta' }, 201)).id;
    await http.waitForStatus(a, 'active', { alive: [first] });
    await http.waitForStatus(b, 'active', { alive: [first] });
    expect((await http.ok('POST', `/sessions/${b}/pause`)).status).toBe('paused');
    const runsBefore = { a: await runIdOf(temporalAddress, a), b: await runIdOf(temporalAddress, b) };
    expect(runsBefore.a.status).toBe('RUNNING');
    expect(runsBefore.b.status).toBe('RUNNING');
    step('two sessions, one paused');

    // Ctrl-C: a clean stop, which takes the embedded Temporal dev server down with it.
    expectCleanExit(await first.stop('SIGINT'), first);
    step('tevis up stopped by SIGINT');
    expect(await isPortOpen(apiPort)).toBe(false);
    expect(await isPortOpen(temporalPort)).toBe(false);
    expect(await isPortOpen(uiPort)).toBe(false);
    expect(existsSync(join(home, 'temporal.sqlite'))).toBe(true);

    const second = processes.spawnTevis('tevis-up-2', 'up', env);
    await waitForHealth(apiUrl, second);
    step('tevis up healthy again');
    expect(await readToken(home)).toBe(token);

    const listed = (await http.ok('GET', '/sessions')).sessions as { id: string; status: string }[];
    expect(Object.fromEntries(listed.map((s) => [s.id, s.status]))).toEqual({ [a]: 'active', [b]: 'paused' });

    // They answer from their workflows (the same runs as before: persisted, not recovered).
    const liveA = await http.waitForLive(a, { alive: [second] });
    const liveB = await http.waitForLive(b, { alive: [second] });
    expect(liveA.session.status).toBe('active');
    expect(liveB.session.status).toBe('paused');
    expect(liveA.state.activeContext).toMatchObject({ sessionId: a, project: 'alpha', branch: 'main' });
    expect(liveB.state.activeContext).toMatchObject({ sessionId: b, project: 'beta', branch: 'trunk' });
    expect(await runIdOf(temporalAddress, a)).toEqual(runsBefore.a);
    expect(await runIdOf(temporalAddress, b)).toEqual(runsBefore.b);
    step('both answer live, same runs');

    expect((await http.ok('POST', `/sessions/${b}/resume`)).status).toBe('active');
    expect((await http.ok('POST', `/sessions/${a}/end`)).status).toBe('ended');
    expect((await http.ok('POST', `/sessions/${b}/end`)).status).toBe('ended');
    expect(await http.ok('GET', `/sessions/${a}/summary`)).toMatchObject({ sessionId: a, reason: 'user' });
    expect(await http.ok('GET', `/sessions/${b}/summary`)).toMatchObject({ sessionId: b, reason: 'user' });
    const typesB = (await http.events(b)).map((e) => e.type);
    expect(typesB.filter((t) => t === 'session.paused')).toHaveLength(1);
    expect(typesB.filter((t) => t === 'session.resumed')).toHaveLength(1);
    expect(typesB).not.toContain('session.recovered');

    step('resumed and ended');
    expectCleanExit(await second.stop('SIGINT'), second);
    step('tevis up stopped by SIGINT');
    expect(await isPortOpen(temporalPort)).toBe(false);
  }, 600_000);

  it('the Temporal dev server stops and comes back on the same port and file: the open session answers and ends', async () => {
    const home = join(root, 'external-temporal-home');
    const temporalPort = await freeLoopbackPort();
    const serverOptions = {
      cliPath: inject('temporalCliPath'),
      dbFile: join(root, 'external-temporal.sqlite'),
      port: temporalPort,
      headless: true,
      searchAttributes: SEARCH_ATTRIBUTES,
      logFile: join(root, 'external-temporal.log'),
    };
    const step = stepLogger('durability-restart/temporal');
    devServer = await startTemporalDevServer(serverOptions);
    step('own dev server started');

    const apiPort = await freeLoopbackPort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    // Worker and API in one process, on the Temporal server this test owns.
    const proc = processes.spawnTevis(
      'tevis-up-external-temporal',
      'up',
      cleanEnv({ TEVIS_HOME: home, TEVIS_PORT: String(apiPort), TEMPORAL_ADDRESS: devServer.address }),
    );
    await waitForHealth(apiUrl, proc);
    step('tevis up (TEMPORAL_ADDRESS) healthy');
    const http = new ApiClient(apiUrl, await readToken(home));

    const repo = await makeGitFixture(join(root, 'gamma'), { only: SMALL_REPOSITORY });
    await http.ok('POST', '/projects', { name: 'gamma', repository: repo.remote }, 201);
    const id: string = (await http.ok('POST', '/sessions', { project: 'gamma' }, 201)).id;
    await http.waitForStatus(id, 'active', { alive: [proc] });
    const before = await runIdOf(devServer.address, id);
    step('session active');

    await devServer.stop();
    step('dev server stopped');
    devServer = undefined;
    expect(await isPortOpen(temporalPort)).toBe(false);
    // Without Temporal the record still answers, and says the state is not live.
    // Whether Temporal runs the workflow is looked up again within 2 s (api/session-facts-cache.ts).
    const whileDown = await waitFor('the session to read as not live', async () => {
      const reply = await http.call('GET', `/sessions/${id}`);
      return reply.status !== 200 || reply.json.state.live ? undefined : reply;
    });
    expect(whileDown.status).toBe(200);
    expect(whileDown.json.session.status).toBe('active');
    expect(whileDown.json.state.live).toBe(false);
    step('GET while Temporal is down answered');

    devServer = await startTemporalDevServer(serverOptions);
    step('dev server restarted');
    const live = await http.waitForLive(id, { alive: [proc] });
    step('session answers live again');
    expect(live.session.status).toBe('active');
    expect(await runIdOf(devServer.address, id)).toEqual(before);

    expect((await http.ok('POST', `/sessions/${id}/end`)).status).toBe('ended');
    expect(await http.ok('GET', `/sessions/${id}/summary`)).toMatchObject({ sessionId: id, reason: 'user' });
    const types = (await http.events(id)).map((e) => e.type);
    expect(types.filter((t) => t === 'session.ended')).toHaveLength(1);
    expect(types).not.toContain('session.recovered');
    step('session ended with summary');

    expectCleanExit(await proc.stop('SIGINT'), proc);
    step('tevis up stopped');
  }, 600_000);
});
