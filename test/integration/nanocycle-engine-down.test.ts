import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worktreePath } from '../../activities/nanocycle-git.js';
import { makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * A worker configured for docker whose engine does not answer (DOCKER_HOST names a socket nobody
 * serves): its nanocycles wait through Temporal's retries and then fail with
 * tpu-engine-unreachable; nothing runs anywhere else, and the record never names an executor.
 */
let h: Harness;
let remote = '';

beforeAll(async () => {
  h = await startHarness({
    database: 'postgres',
    label: 'engine-down',
    env: { TEVIS_TPU_EXECUTOR: 'docker', DOCKER_HOST: 'unix:///tmp/tevis-no-engine-here.sock' },
  });
  remote = (await makeGitFixture(join(h.home, 'fixture'))).remote;
});
afterAll(async () => h?.stop());

describe('a worker whose container engine does not answer', () => {
  it('makes the nanocycle wait, then fail with tpu-engine-unreachable, never running it locally', async () => {
    await createProject(h, { name: 'down', repository: remote });
    const { session } = await createActiveSession(h, { project: 'down' });
    const created = await h.call('POST', `/sessions/${session.id}/nanocycles`, {
      name: 'would-run',
      run: ['touch RAN-SOMEWHERE', 'echo ran'],
    });
    expect(created.status).toBe(201);

    const nanocycle = async () => (await h.api.nanocycles(session.id)).find((n) => n.id === 'NC-001');
    // Waiting: running, no executor, while Temporal retries the attempt with backoff.
    const waiting = await waitFor('NC-001 running', async () =>
      (await nanocycle())?.status === 'running' ? nanocycle() : undefined,
    );
    expect(waiting.executor).toBeNull();

    const failed = await waitFor(
      'NC-001 failed',
      async () => {
        const row = await nanocycle();
        return row?.status === 'failed' ? row : undefined;
      },
      { timeoutMs: 120_000 },
    );
    expect(failed.executor).toBeNull();
    expect(failed.data.detail).toContain('tpu-engine-unreachable');
    expect(failed.data.detail).toContain('tevis-no-engine-here.sock');

    const logs = await h.call('GET', `/sessions/${session.id}/nanocycles/NC-001/logs`);
    expect(logs.json.lines).toEqual([]);
    const worktree = worktreePath(h.home, session.id, 'NC-001');
    expect(existsSync(worktree)).toBe(true);
    expect(existsSync(join(worktree, 'RAN-SOMEWHERE'))).toBe(false);
  }, 180_000);
});
