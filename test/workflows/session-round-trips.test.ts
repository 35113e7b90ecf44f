import protos from '@temporalio/proto';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getSession } from '../../db/sessions-store.js';
import { listEvents } from '../../db/timeline-store.js';
import { listHoldPoints } from '../../db/hold-points-store.js';
import { listNanocycles } from '../../db/nanocycles-store.js';
import { createNanocycleUpdate } from '../../workflows/nanocycle-messages.js';
import { endUpdate, pauseUpdate, resumeUpdate } from '../../workflows/session-messages.js';
import {
  bundleSessionWorkflows,
  eventually,
  recordNewSession,
  settledOn,
  startSessionWorkflow,
  startTestbed,
  waitForStatus,
  type SessionHandle,
  type Testbed,
} from '../support/session-testbed.js';
import { stampedHandle } from '../support/stamped-handle.js';

/**
 * What a start and a pause/resume cost in round trips, read from the workflow's own history:
 * the start's one ordinary activity is the clone (its record steps are local activities, its
 * events from the clone to `session.active` one write), and a pause or resume schedules none.
 * The timeline reads as it always did. A merge hold point and its nanocycle's waiting status are
 * one write, so the record never shows one without the other.
 */

const EventType = protos.temporal.api.enums.v1.EventType;

let testbed: Testbed;
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  workflowBundle = await bundleSessionWorkflows();
  testbed = await startTestbed({ testServerPath: inject('temporalTestServerPath'), workflowBundle });
});

afterAll(async () => {
  await testbed?.close();
});

async function history(handle: SessionHandle) {
  return (await handle.fetchHistory()).events ?? [];
}

async function scheduledActivities(handle: SessionHandle): Promise<string[]> {
  return (await history(handle))
    .filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
}

async function markers(handle: SessionHandle): Promise<number> {
  return (await history(handle)).filter((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED).length;
}

describe('session workflow: round trips', () => {
  it('starts with the clone as its one ordinary activity, and the timeline in its usual order', async () => {
    const state = await recordNewSession(testbed, { project: 'round-trips', repository: testbed.remote });
    const handle = stampedHandle(await startSessionWorkflow(testbed, state), state.sessionId, testbed.env);
    await waitForStatus(handle, 'active');

    expect(await scheduledActivities(handle)).toEqual(['cloneWorkspace']);
    expect((await listEvents(testbed.db.db, state.sessionId)).map((e) => e.type)).toEqual([
      'workspace.cloning',
      'workspace.cloned',
      'context.loaded',
      'services.checked',
      'session.active',
    ]);
    expect(await getSession(testbed.db.db, state.sessionId)).toMatchObject({
      status: 'active',
      workspacePath: expect.any(String),
      startCommit: testbed.remoteHead,
    });

    // Pause and resume answer from the workflow task that ran them: no activity scheduled.
    const markersBefore = await markers(handle);
    await expect(handle.executeUpdate(pauseUpdate)).resolves.toEqual({ status: 'paused' });
    expect((await getSession(testbed.db.db, state.sessionId)).status).toBe('paused');
    await expect(handle.executeUpdate(resumeUpdate)).resolves.toEqual({ status: 'active' });
    expect((await getSession(testbed.db.db, state.sessionId)).status).toBe('active');
    expect(await scheduledActivities(handle)).toEqual(['cloneWorkspace']);
    expect(await markers(handle)).toBeGreaterThan(markersBefore);
    expect((await listEvents(testbed.db.db, state.sessionId)).map((e) => e.type).slice(-2)).toEqual([
      'session.paused',
      'session.resumed',
    ]);

    await expect(handle.executeUpdate(endUpdate)).resolves.toEqual({ status: 'ended' });
  });

  it('records a merge hold point and its nanocycle awaiting approval in one activity', async () => {
    const state = await recordNewSession(testbed, { project: 'hold-write', repository: testbed.remote });
    const handle = stampedHandle(await startSessionWorkflow(testbed, state), state.sessionId, testbed.env);
    await waitForStatus(handle, 'active');
    await handle.executeUpdate(createNanocycleUpdate, {
      args: [{ name: 'wave', run: ['echo hi > WAVE.md'] }],
    });

    const hold = await eventually('the merge hold point in the record', async () =>
      (await listHoldPoints(testbed.db.db, state.sessionId)).find((h) => h.kind === 'merge'),
    );
    // The first moment anyone can see the hold point, its nanocycle already waits on it.
    const nanocycle = (await listNanocycles(testbed.db.db, state.sessionId)).find((n) => n.id === 'NC-001');
    expect(hold).toMatchObject({ nanocycleId: 'NC-001', status: 'pending' });
    expect(nanocycle?.status).toBe('awaiting_approval');

    // Nothing is written after the hold point until someone answers it.
    expect(await settledOn(handle)).not.toBe('closed');
    const scheduled = await scheduledActivities(handle);
    expect(scheduled.at(-1)).toBe('recordHoldPointOpened');
    await expect(handle.executeUpdate(endUpdate)).resolves.toEqual({ status: 'ended' });
  });
});
