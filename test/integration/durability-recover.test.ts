import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { loadConfig } from '../../runtime/config.js';
import { loadTemporalSecurity } from '../../runtime/temporal-security.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sessionWorkflowId } from '../../contracts/ids.js';
import { SEARCH_ATTRIBUTES } from '../../runtime/run-parts.js';
import { startTemporalDevServer, type RunningDevServer } from '../../runtime/temporal-dev-server.js';
import { ApiClient } from '../support/api-client.js';
import { type GitFixture, gitHead, makeGitFixture, SMALL_REPOSITORY } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { cleanEnv, type ManagedProcess, ProcessSet } from '../support/processes.js';
import {
  countTypes,
  readToken,
  sessionRepoEntries,
  stepLogger,
  waitForHealth,
} from '../support/stack-probes.js';
import { freeLoopbackPort } from '../support/free-port.js';

/**
 * `tevis session recover` (issue 2 part 6): a session whose workflow was terminated by hand, whose
 * workspace was deleted, or whose Temporal data is gone comes back from the record; a session
 * that runs fine is left alone.
 *
 * Runs on a Temporal dev server of its own (in memory, so "data gone" is a restart away) and one
 * `tevis up` process on it (worker and API, PGlite).
 */

describe('durability: recover', () => {
  const processes = new ProcessSet();
  let root: string;
  let home: string;
  let server: RunningDevServer | undefined;
  let serverOptions: Parameters<typeof startTemporalDevServer>[0];
  let connection: Connection | undefined;
  let temporal: Client;
  let up: ManagedProcess;
  let http: ApiClient;
  let repo: GitFixture;

  /** This test's own view of Temporal, with Tevis's key (the same file `tevis up` uses): it reads sealed payloads. */
  const tevisClient = async (conn: Connection) =>
    new Client({
      connection: conn,
      dataConverter: (await loadTemporalSecurity(loadConfig({ TEVIS_HOME: home }))).dataConverter,
    });

  const describeRun = async (sessionId: string) => {
    try {
      const d = await temporal.workflow.getHandle(sessionWorkflowId(sessionId)).describe();
      return { runId: d.runId, status: d.status.name };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { runId: null, status: 'NOT_FOUND' };
      throw error;
    }
  };

  const startSession = async (project: string): Promise<string> => {
    await http.ok('POST', '/projects', { name: project, repository: repo.remote }, 201);
    const id: string = (await http.ok('POST', '/sessions', { project }, 201)).id;
    await http.waitForStatus(id, 'active', { alive: [up] });
    return id;
  };

  const endWithSummary = async (id: string, project: string) => {
    expect((await http.ok('POST', `/sessions/${id}/end`)).status).toBe('ended');
    const summary = await http.ok('GET', `/sessions/${id}/summary`);
    expect(summary).toMatchObject({ sessionId: id, project, reason: 'user', startCommit: repo.head });
    expect(summary.markdown).toContain(id);
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tevis-dur-recover-'));
    home = join(root, 'home');
    repo = await makeGitFixture(join(root, 'repo'), { only: SMALL_REPOSITORY });
    serverOptions = {
      cliPath: inject('temporalCliPath'),
      // No dbFile: in memory, so a restart loses every workflow.
      port: await freeLoopbackPort(),
      headless: true,
      searchAttributes: SEARCH_ATTRIBUTES,
      logFile: join(root, 'temporal.log'),
    };
    server = await startTemporalDevServer(serverOptions);
    connection = await Connection.connect({ address: server.address });
    temporal = await tevisClient(connection);

    const apiPort = await freeLoopbackPort();
    up = processes.spawnTevis(
      'tevis-up-recover',
      'up',
      cleanEnv({ TEVIS_HOME: home, TEVIS_PORT: String(apiPort), TEMPORAL_ADDRESS: server.address }),
    );
    const url = `http://127.0.0.1:${apiPort}`;
    await waitForHealth(url, up);
    http = new ApiClient(url, await readToken(home));
  });

  afterAll(async () => {
    await processes.killAll();
    await connection?.close().catch(() => {});
    await server?.stop().catch(() => {});
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a workflow terminated by hand comes back with the status it had, answers live and ends with a summary', async () => {
    const step = stepLogger('durability-recover/terminated');
    const id = await startSession('recover-terminated');
    expect((await http.ok('POST', `/sessions/${id}/pause`)).status).toBe('paused');
    const before = await describeRun(id);
    expect(before.status).toBe('RUNNING');
    step('paused session running');

    await temporal.workflow.getHandle(sessionWorkflowId(id)).terminate('test: terminated by hand');
    expect((await describeRun(id)).status).toBe('TERMINATED');
    const orphaned = await http.session(id);
    expect(orphaned.session.status).toBe('paused');
    expect(orphaned.state.live).toBe(false);
    // Commands that need the workflow say so, with the way out.
    const refused = await http.call('POST', `/sessions/${id}/resume`);
    expect(refused.status).toBe(409);
    expect(refused.json.detail).toMatch(/recover/);

    const result = await http.ok('POST', `/sessions/${id}/recover`);
    expect(result).toMatchObject({ recovered: true, session: { id, status: 'paused' } });
    expect(result.message).toMatch(/recovered/);
    step('recovered');

    const live = await http.waitForLive(id, { alive: [up] });
    expect(live.session.status).toBe('paused');
    const after = await describeRun(id);
    expect(after.status).toBe('RUNNING');
    expect(after.runId).not.toBe(before.runId);
    await waitFor('the session.recovered event', async () =>
      (await http.events(id)).some((e) => e.type === 'session.recovered'),
    );

    // A recovered session is a whole session again: resume, end, summary.
    expect((await http.ok('POST', `/sessions/${id}/resume`)).status).toBe('active');
    await endWithSummary(id, 'recover-terminated');
    const counts = countTypes(await http.events(id));
    expect(counts).toMatchObject({
      'session.recovered': 1,
      'workspace.cloned': 1,
      'session.ended': 1,
      'summary.generated': 1,
    });
    expect(counts['workspace.recloned']).toBeUndefined();
    step('resumed and ended');
  }, 300_000);

  it('recover of a session that runs fine changes nothing and says so', async () => {
    const id = await startSession('recover-running');
    const before = await describeRun(id);
    const eventsBefore = await http.events(id);

    const result = await http.ok('POST', `/sessions/${id}/recover`);
    expect(result).toMatchObject({ recovered: false, session: { id, status: 'active' } });
    expect(result.message).toMatch(/running fine/);

    expect(await describeRun(id)).toEqual(before);
    expect(await http.events(id)).toEqual(eventsBefore);
    expect((await http.session(id)).session.status).toBe('active');
    await endWithSummary(id, 'recover-running');
  }, 300_000);

  it('recover after the workspace was deleted clones it again', async () => {
    const step = stepLogger('durability-recover/reclone');
    const id = await startSession('recover-reclone');
    const { session } = await http.session(id);
    const workspace = session.workspacePath!;
    expect(existsSync(join(workspace, '.git'))).toBe(true);

    await temporal.workflow.getHandle(sessionWorkflowId(id)).terminate('test: terminated by hand');
    await rm(workspace, { recursive: true, force: true });
    step('terminated, workspace deleted');

    expect(await http.ok('POST', `/sessions/${id}/recover`)).toMatchObject({
      recovered: true,
      session: { id, status: 'active' },
    });
    const recloned = await waitFor(
      'the workspace.recloned event',
      async () => (await http.events(id)).find((e) => e.type === 'workspace.recloned'),
      {
        alive: [up],
      },
    );
    expect(recloned.data).toMatchObject({ path: workspace, head: repo.head });
    step('recloned');
    expect(await gitHead(workspace)).toBe(repo.head);
    expect(sessionRepoEntries(home, id)).toEqual([id]);

    const live = await http.waitForLive(id, { alive: [up] });
    expect(live.session.status).toBe('active');
    expect(live.state.workspace).toMatchObject({ path: workspace, exists: true, gitStatus: 'clean' });
    await endWithSummary(id, 'recover-reclone');
    expect(countTypes(await http.events(id))).toMatchObject({
      'session.recovered': 1,
      'workspace.recloned': 1,
    });
  }, 300_000);

  it('recover of a running session whose workspace was deleted clones it again, in the same workflow run', async () => {
    const id = await startSession('recover-running-reclone');
    const { session } = await http.session(id);
    const workspace = session.workspacePath!;
    const before = await describeRun(id);
    await rm(workspace, { recursive: true, force: true });

    const result = await http.ok('POST', `/sessions/${id}/recover`);
    expect(result).toMatchObject({ recovered: true, session: { id, status: 'active' } });
    expect(result.message).toMatch(/cloned again/);
    expect(await gitHead(workspace)).toBe(repo.head);
    expect(await describeRun(id)).toEqual(before);
    const recloned = (await http.events(id)).filter((e) => e.type === 'workspace.recloned');
    expect(recloned).toHaveLength(1);
    expect(recloned[0]!.data).toMatchObject({
      path: workspace,
      head: repo.head,
      why: 'the workspace was gone',
    });
    // Once it is back, a second recover has nothing to do.
    expect(await http.ok('POST', `/sessions/${id}/recover`)).toMatchObject({ recovered: false });
    await endWithSummary(id, 'recover-running-reclone');
  }, 300_000);

  // Last: it replaces the Temporal server, which the tests above share.
  it('a session whose Temporal data is gone is recovered from the record alone', async () => {
    const step = stepLogger('durability-recover/data-gone');
    const id = await startSession('recover-data-gone');
    expect((await http.ok('POST', `/sessions/${id}/pause`)).status).toBe('paused');
    step('paused session running');

    // The server restarts in memory on the same port: every workflow it knew is gone.
    await connection!.close();
    connection = undefined;
    await server!.stop();
    server = undefined;
    server = await startTemporalDevServer(serverOptions);
    connection = await Connection.connect({ address: server.address });
    temporal = await tevisClient(connection);
    expect((await describeRun(id)).status).toBe('NOT_FOUND');
    step('Temporal restarted empty');

    // Whether Temporal runs the workflow is looked up again within 2 s (api/session-facts-cache.ts).
    const orphaned = await waitFor('the API to answer from the record, not live', async () => {
      const reply = await http.call('GET', `/sessions/${id}`);
      return reply.status === 200 && !reply.json.state.live ? reply.json : undefined;
    });
    expect(orphaned.session.status).toBe('paused');
    expect(orphaned.state.live).toBe(false);

    // The API's Temporal client may need a moment to reconnect; recover must then work.
    const result = await waitFor('recover to be accepted', async () => {
      const reply = await http.call('POST', `/sessions/${id}/recover`);
      if (reply.status === 503) return undefined;
      if (reply.status !== 200)
        throw Object.assign(new Error(`recover: ${reply.status} ${JSON.stringify(reply.json)}`), {
          fatal: true,
        });
      return reply.json;
    });
    expect(result).toMatchObject({ recovered: true, session: { id, status: 'paused' } });
    expect(result.message).toMatch(/not_found/i);
    step('recovered');

    const live = await http.waitForLive(id, { alive: [up] });
    expect(live.session.status).toBe('paused');
    expect(live.state.activeContext).toMatchObject({
      sessionId: id,
      project: 'recover-data-gone',
      branch: 'main',
    });
    expect((await describeRun(id)).status).toBe('RUNNING');

    expect((await http.ok('POST', `/sessions/${id}/resume`)).status).toBe('active');
    await endWithSummary(id, 'recover-data-gone');
    const counts = countTypes(await http.events(id));
    expect(counts).toMatchObject({
      'session.recovered': 1,
      'session.paused': 1,
      'session.resumed': 1,
      'session.ended': 1,
    });
    step('resumed and ended');
  }, 300_000);
});
