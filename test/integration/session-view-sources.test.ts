import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionWorkflowId } from '../../contracts/ids.js';
import { makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * `GET /sessions/{id}` answers from the session workflow while it runs, and from the record when
 * the workflow does not answer. Both must show each nanocycle and hold point the same way: a
 * client must not see less of a nanocycle because of who answered.
 */
let h: Harness;
let remote = '';

beforeAll(async () => {
  h = await startHarness({ database: 'postgres', label: 'view-sources' });
  remote = (await makeGitFixture(join(h.home, 'fixture'))).remote;
});
afterAll(async () => {
  await h?.stop();
});

describe('GET /sessions/{id} with and without its workflow', () => {
  it('shows the same nanocycles and hold points from the record as from the workflow', async () => {
    await createProject(h, { name: 'view', repository: remote });
    const { session } = await createActiveSession(h, { project: 'view', type: 'development' });
    const id: string = session.id;
    const created = await h.call('POST', `/sessions/${id}/nanocycles`, {
      name: 'greeting',
      run: ['printf "hi\\n" > GREETING.md'],
    });
    expect(created.status).toBe(201);

    // Finished, committed and waiting at its merge hold point: every field of it is filled in.
    const live = await waitFor('the nanocycle to wait at its merge hold point', async () => {
      const { state } = await h.api.session(id);
      return state.live && state.execution.pendingHoldPoints.some((p) => p.kind === 'merge')
        ? state
        : undefined;
    });
    const [nanocycle] = live.activeContext.nanocycles;
    expect(nanocycle).toMatchObject({ id: 'NC-001', executor: 'sandbox', filesChanged: 1, detail: null });
    expect(nanocycle?.commit).toMatch(/^[0-9a-f]{40}$/);

    // The workflow is gone (as after a lost worker's history is terminated); the record answers.
    await h.temporalClient.workflow
      .getHandle(sessionWorkflowId(id))
      .terminate('the workflow does not answer');
    const fromRecord = (await h.api.session(id)).state;
    expect(fromRecord.live).toBe(false);
    expect(fromRecord.activeContext.nanocycles).toEqual(live.activeContext.nanocycles);
    expect(fromRecord.execution.pendingHoldPoints).toEqual(live.execution.pendingHoldPoints);
  });
});
