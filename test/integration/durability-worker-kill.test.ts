import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api-client.js';
import { type CloneGate, makeCloneGate } from '../support/clone-gate.js';
import { type GitFixture, gitHead, makeGitFixture, SMALL_REPOSITORY } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { type SplitStack, startSplitStack } from '../support/split-stack.js';
import { type ManagedProcess, ProcessSet } from '../support/processes.js';
import { countTypes, sessionRepoEntries, stepLogger } from '../support/stack-probes.js';

/**
 * DESIGN.md §6 "kill the worker": a session is starting, its clone is in flight, the worker
 * process dies with SIGKILL; a new worker process takes over and the session becomes active with
 * one workspace and a timeline that has every start event once.
 *
 * The clone is held mid-way at the pack gate of `clone-gate.ts`, without timing.
 */

const PROJECT = 'kill-worker';

describe('durability: SIGKILL of the worker while a session is starting', () => {
  const processes = new ProcessSet();
  let root: string;
  let workerHome: string;
  let gate: CloneGate;
  let repo: GitFixture;
  let stack: SplitStack | undefined;
  let http: ApiClient;
  let workerEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tevis-dur-kill-'));
    workerHome = join(root, 'worker-home');
    gate = await makeCloneGate(root);
    repo = await makeGitFixture(join(root, 'repo'), { only: SMALL_REPOSITORY });

    // The API runs in this process; it shares only Postgres and Temporal with the workers.
    stack = await startSplitStack(root, 'dur-kill');
    http = stack.http;
    workerEnv = stack.workerEnv(workerHome, gate.env);
  });

  afterAll(async () => {
    await processes.killAll();
    await gate?.release();
    await stack?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a new worker finishes the start: active, one workspace, each start event once', async () => {
    const step = stepLogger('durability-worker-kill');
    await http.ok(
      'POST',
      '/projects',
      { name: PROJECT, repository: `ssh://127.0.0.1${repo.remote}`, defaultBranch: 'main' },
      201,
    );

    const first: ManagedProcess = processes.spawnTevis('worker-1', 'worker', workerEnv);
    const created = await http.ok('POST', '/sessions', { project: PROJECT }, 201);
    const id: string = created.id;
    const workspace = join(workerHome, 'session-repos', id);

    // The clone is in flight: git made the temporary directory and waits for its pack.
    await waitFor(
      'the clone to reach the pack gate',
      () =>
        existsSync(join(gate.dir, 'held')) &&
        sessionRepoEntries(workerHome, id).some((e) => e.startsWith(`${id}.partial-`)),
      {
        alive: [first],
      },
    );
    step('worker 1 started; clone held at the pack gate');
    const before = await http.session(id);
    expect(before.session.status).toBe('starting');
    const typesBefore = (await http.events(id)).map((e) => e.type);
    expect(typesBefore).toContain('workspace.cloning');
    expect(typesBefore).not.toContain('workspace.cloned');
    expect(existsSync(workspace)).toBe(false);

    const killed = await first.kill();
    expect(killed.signal).toBe('SIGKILL');
    step('worker 1 killed');

    const second = processes.spawnTevis('worker-2', 'worker', workerEnv);
    const active = await http.waitForStatus(id, 'active', { alive: [second], timeoutMs: 240_000 });
    step('session active on worker 2');

    // One workspace, complete, nothing half-made left beside it.
    expect(sessionRepoEntries(workerHome, id)).toEqual([id]);
    expect(active.workspacePath).toBe(workspace);
    expect(await gitHead(workspace)).toBe(repo.head);
    expect(active.startCommit).toBe(repo.head);
    // The second worker cloned again (the first clone never finished): the gate saw two packs.
    const packCalls = (await readFile(join(gate.dir, 'pack-calls'), 'utf8')).trim().split('\n');
    expect(packCalls).toHaveLength(2);

    const events = await http.events(id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const counts = countTypes(events);
    expect(counts).toMatchObject({
      'session.created': 1,
      'workspace.cloning': 1,
      'workspace.cloned': 1,
      'context.loaded': 1,
      'services.checked': 1,
      'session.active': 1,
    });
    expect(counts['session.failed']).toBeUndefined();
    expect(events.find((e) => e.type === 'workspace.cloned')?.data).toMatchObject({
      path: workspace,
      startCommit: repo.head,
    });

    // The session is fully alive on the new worker: it answers and ends with a summary.
    const live = await http.waitForLive(id, { alive: [second] });
    expect(live.state.workspace).toMatchObject({ path: workspace, exists: true, gitStatus: 'clean' });
    const ended = await http.ok('POST', `/sessions/${id}/end`);
    expect(ended.status).toBe('ended');
    const summary = await http.ok('GET', `/sessions/${id}/summary`);
    expect(summary).toMatchObject({
      sessionId: id,
      project: PROJECT,
      reason: 'user',
      startCommit: repo.head,
    });
    expect(sessionRepoEntries(workerHome, id)).toEqual([id]);
    step('ended with summary');
  }, 360_000);
});
