import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionWorkflowId } from '../../contracts/ids.js';
import type { SessionWorkflowSummary } from '../../contracts/session-state.js';
import { makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * `GET /sessions/{id}` answers from the record alone (api/session-view.ts), which the workflow
 * keeps current. It must show each nanocycle and hold point as the workflow's own state does, and
 * the same whether or not the workflow still runs: only `live` tells them apart.
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
  it('shows the same nanocycles and hold points as the workflow holds, with it and without it', async () => {
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
    // The workflow's own state, asked here by the test only: the record shows the same.
    const own = await h.temporalClient.workflow
      .getHandle(sessionWorkflowId(id))
      .query<SessionWorkflowSummary>('sessionState');
    expect(live.activeContext.nanocycles).toEqual(own.nanocycles);
    expect(live.execution.pendingHoldPoints).toEqual(own.pendingHoldPoints);

    // The workflow is gone (as after a lost worker's history is terminated); the record answers.
    await h.temporalClient.workflow
      .getHandle(sessionWorkflowId(id))
      .terminate('the workflow does not answer');
    // Whether Temporal runs it is looked up again within 2 s (api/session-facts-cache.ts).
    const fromRecord = await waitFor('the session to read as not live', async () => {
      const { state } = await h.api.session(id);
      return state.live ? undefined : state;
    });
    expect(fromRecord.activeContext.nanocycles).toEqual(live.activeContext.nanocycles);
    expect(fromRecord.execution.pendingHoldPoints).toEqual(live.execution.pendingHoldPoints);
  });
});
