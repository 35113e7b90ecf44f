import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import protos from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSessionActivities } from '../../activities/index.js';
import type { RecordTransitionInput } from '../../activities/record-transition.js';
import { getSession } from '../../db/sessions-store.js';
import { findSummary } from '../../db/summaries-store.js';
import { listEvents } from '../../db/timeline-store.js';
import { endUpdate, pauseUpdate, resumeUpdate, touchSignal } from '../../workflows/session-messages.js';
import { statusKey } from '../../workflows/session-search-attributes.js';
import {
  bundleSessionWorkflows,
  queryState,
  recordNewSession,
  settledOn,
  skipTo,
  startSessionWorkflow,
  startTestbed,
  waitForArmedTimer,
  waitForNewRun,
  waitForStatus,
  type NewSessionOptions,
  type SessionHandle,
  type Testbed,
} from '../support/session-testbed.js';
import { stampedHandle } from '../support/stamped-handle.js';

/**
 * The session workflow on the time-skipping test server with its real activities (PGlite record,
 * git clone of a bare repository made here). Time is skipped relative to the start of the
 * workflow's inactivity timer, read from its history, so "not before" and "at" are exact in
 * workflow time whatever the machine's speed.
 */

const EventType = protos.temporal.api.enums.v1.EventType;
const HOUR = 3600 * 1000;
const SECOND = 1000;

let testbed: Testbed;
let workflowBundle: WorkflowBundleWithSourceMap;
let projects = 0;

beforeAll(async () => {
  workflowBundle = await bundleSessionWorkflows();
  testbed = await startTestbed({ testServerPath: inject('temporalTestServerPath'), workflowBundle });
});

afterAll(async () => {
  await testbed?.close();
});

async function startSession(opts: Partial<NewSessionOptions> = {}, historyLimit?: number) {
  const state = await recordNewSession(testbed, {
    project: `inactivity-${++projects}`,
    repository: testbed.remote,
    ...opts,
  });
  // Stamped like the API's commands (the workflow refuses others).
  const handle = stampedHandle(
    await startSessionWorkflow(testbed, state, historyLimit === undefined ? {} : { historyLimit }),
    state.sessionId,
    testbed.env,
  );
  // With a low limit the first run hands over right after starting; no query may reach it then.
  if (historyLimit !== undefined) await waitForNewRun(handle, handle.firstExecutionRunId);
  await waitForStatus(handle, 'active');
  const timer = await waitForArmedTimer(handle);
  return { sessionId: state.sessionId, handle, timer };
}

async function expectEndedBy(handle: SessionHandle, sessionId: string, reason: 'inactivity' | 'user') {
  await expect(handle.result()).resolves.toEqual({ status: 'ended' });
  const state = await queryState(handle);
  expect(state).toMatchObject({ status: 'ended', endReason: reason });

  const row = await getSession(testbed.db.db, sessionId);
  expect(row).toMatchObject({ status: 'ended', endReason: reason });
  expect(row.endedAt).not.toBeNull();

  const summary = await findSummary(testbed.db.db, sessionId);
  expect(summary).toMatchObject({ sessionId, reason });
  if (reason === 'inactivity') expect(summary!.markdown).toContain('ended after inactivity');

  const events = await listEvents(testbed.db.db, sessionId);
  const types = events.map((e) => e.type);
  expect(types.slice(-3)).toEqual(['session.ending', 'summary.generated', 'session.ended']);
  expect(events.find((e) => e.type === 'session.ending')!.data).toEqual({ reason });
  expect(events.at(-1)!.data).toEqual({ reason });

  const description = await handle.describe();
  expect(description.status.name).toBe('COMPLETED');
  expect(description.typedSearchAttributes.get(statusKey)).toBe('ended');
  return { state, row, summary: summary!, events };
}

function expectRefused(error: unknown, pattern: RegExp) {
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe('invalid-transition');
  expect((cause as ApplicationFailure).message).toMatch(pattern);
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the Update to be refused, and it was accepted');
}

describe('session workflow: inactivity timeout (time-skipping)', () => {
  it('ends an active session at its timeout and not before, with reason inactivity in the record and the summary', async () => {
    const { sessionId, handle, timer } = await startSession({
      activeTimeoutSeconds: 3600,
      pausedTimeoutSeconds: 7200,
    });
    expect(timer.durationMs).toBe(1 * HOUR);

    const started = await queryState(handle);
    expect(started.workspacePath).toBe(`${testbed.home}/session-repos/${sessionId}`);
    expect(started.startCommit).toBe(testbed.remoteHead);
    expect(started.context?.docs).toEqual(['.tevis/plan.md']);
    expect((await getSession(testbed.db.db, sessionId)).status).toBe('active');

    await skipTo(testbed.env, timer.startedAtMs + 3599 * SECOND);
    expect((await queryState(handle)).status).toBe('active');
    expect((await getSession(testbed.db.db, sessionId)).status).toBe('active');

    await skipTo(testbed.env, timer.startedAtMs + 3601 * SECOND);
    const { state, summary } = await expectEndedBy(handle, sessionId, 'inactivity');
    // Workflow time, which the server skipped: the session lasted at least its timeout.
    expect(Date.parse(state.lastActivityAt)).toBeLessThan(timer.startedAtMs + 1 * HOUR);
    expect(summary.timeSpentSeconds).toBeGreaterThanOrEqual(3600);
  });

  it('a touch resets the timer', async () => {
    const { sessionId, handle, timer } = await startSession({ activeTimeoutSeconds: 3600 });

    await skipTo(testbed.env, timer.startedAtMs + 3000 * SECOND);
    await handle.signal(touchSignal);
    const rearmed = await waitForArmedTimer(handle, timer);
    expect(rearmed.durationMs).toBe(1 * HOUR);
    expect(rearmed.startedAtMs).toBeGreaterThanOrEqual(timer.startedAtMs + 3000 * SECOND);
    expect(Date.parse((await queryState(handle)).lastActivityAt)).toBeGreaterThanOrEqual(
      timer.startedAtMs + 3000 * SECOND,
    );

    // 6000 s after the first timer started: without the touch the session would have ended.
    await skipTo(testbed.env, rearmed.startedAtMs + 3000 * SECOND);
    expect((await queryState(handle)).status).toBe('active');
    expect((await getSession(testbed.db.db, sessionId)).status).toBe('active');

    await skipTo(testbed.env, rearmed.startedAtMs + 3700 * SECOND);
    await expectEndedBy(handle, sessionId, 'inactivity');
  });

  it('a paused session uses the paused timeout', async () => {
    const { sessionId, handle, timer } = await startSession({
      activeTimeoutSeconds: 3600,
      pausedTimeoutSeconds: 7200,
    });

    await expect(handle.executeUpdate(pauseUpdate)).resolves.toEqual({ status: 'paused' });
    expect((await getSession(testbed.db.db, sessionId)).status).toBe('paused');
    const paused = await waitForArmedTimer(handle, timer);
    expect(paused.durationMs).toBe(2 * HOUR);

    // Past the active timeout: still paused.
    await skipTo(testbed.env, paused.startedAtMs + 3601 * SECOND);
    expect((await queryState(handle)).status).toBe('paused');
    expect((await getSession(testbed.db.db, sessionId)).status).toBe('paused');

    await skipTo(testbed.env, paused.startedAtMs + 7199 * SECOND);
    expect((await queryState(handle)).status).toBe('paused');

    await skipTo(testbed.env, paused.startedAtMs + 7201 * SECOND);
    const { events } = await expectEndedBy(handle, sessionId, 'inactivity');
    expect(events.map((e) => e.type)).toContain('session.paused');
  });
});

describe('session workflow: Update refusals', () => {
  it('refuses to resume an active session and changes nothing', async () => {
    const { sessionId, handle, timer } = await startSession();
    const before = await queryState(handle);
    const eventsBefore = await listEvents(testbed.db.db, sessionId);
    const historyBefore = (await handle.fetchHistory()).events?.length;

    expectRefused(await refusal(handle.executeUpdate(resumeUpdate)), /only a paused session can be resumed/);

    expect(await queryState(handle)).toEqual(before);
    expect(await listEvents(testbed.db.db, sessionId)).toEqual(eventsBefore);
    expect((await getSession(testbed.db.db, sessionId)).status).toBe('active');
    // A validator's refusal records no Update and runs nothing: at most the workflow task that
    // ran the validator (the test server does not drop it as a real server does), and the same timer.
    const added = ((await handle.fetchHistory()).events ?? [])
      .slice(historyBefore)
      .map((e) => EventType[e.eventType!]);
    expect(added.filter((type) => !/^EVENT_TYPE_WORKFLOW_TASK_/.test(type!))).toEqual([]);
    expect(await waitForArmedTimer(handle)).toEqual(timer);

    // A paused session cannot be paused again either.
    await handle.executeUpdate(pauseUpdate);
    expectRefused(await refusal(handle.executeUpdate(pauseUpdate)), /only an active session can be paused/);
    await expect(handle.executeUpdate(resumeUpdate)).resolves.toEqual({ status: 'active' });

    await expect(handle.executeUpdate(endUpdate)).resolves.toEqual({ status: 'ended' });
    await expectEndedBy(handle, sessionId, 'user');
  });

  it('refuses a second end, while ending and after it ended', async () => {
    const { sessionId, handle } = await startSession();

    const first = await handle.startUpdate(endUpdate, { waitForStage: WorkflowUpdateStage.ACCEPTED });
    expectRefused(await refusal(handle.executeUpdate(endUpdate)), /already (ending|ended)/);
    await expect(first.result()).resolves.toEqual({ status: 'ended' });
    const { events } = await expectEndedBy(handle, sessionId, 'user');
    expect(events.filter((e) => e.type === 'session.ended')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'summary.generated')).toHaveLength(1);

    // The workflow has completed: the server itself refuses, and the record is untouched.
    await expect(handle.executeUpdate(endUpdate)).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await listEvents(testbed.db.db, sessionId)).toEqual(events);
  });
});

describe('session workflow: continue-as-new', () => {
  it('hands the session over to new runs, which keep answering and still end properly', async () => {
    const { sessionId, handle, timer } = await startSession({ activeTimeoutSeconds: 3600 }, 12);
    const firstRunId = handle.firstExecutionRunId;

    // Starting alone takes more than 12 events, so the first run has already handed over.
    const afterStart = await queryState(handle);
    const afterStartRun = (await handle.describe()).runId;
    expect(afterStartRun).not.toBe(firstRunId);
    expect(afterStart.run).toBeGreaterThanOrEqual(2);
    expect(afterStart).toMatchObject({ status: 'active', sessionId, startCommit: testbed.remoteHead });
    expect(afterStart.context?.docs).toEqual(['.tevis/plan.md']);

    // Touches grow the new run's history until it continues as new again.
    let armed = timer;
    let touches = 0;
    while ((await handle.describe()).runId === afterStartRun) {
      expect(touches).toBeLessThan(40);
      await handle.signal(touchSignal);
      touches++;
      armed = await waitForArmedTimer(handle, armed);
    }
    const later = await queryState(handle);
    expect(later.run).toBeGreaterThan(afterStart.run);
    expect(later).toMatchObject({
      status: 'active',
      sessionId,
      workspacePath: afterStart.workspacePath,
      startCommit: afterStart.startCommit,
    });
    expect(armed.durationMs).toBe(1 * HOUR);

    // The new run still takes Updates and ends the session once.
    await expect(handle.executeUpdate(pauseUpdate)).resolves.toEqual({ status: 'paused' });
    await expect(handle.executeUpdate(endUpdate)).resolves.toEqual({ status: 'ended' });
    const { summary, events } = await expectEndedBy(handle, sessionId, 'user');
    expect(summary.metrics.workflowRuns).toBe(later.run);
    expect(events.filter((e) => e.type === 'session.active')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'session.ended')).toHaveLength(1);
  });
});

describe('session workflow: an end that arrives while a pause is in flight at a continue-as-new point', () => {
  /**
   * Regression: the continue-as-new branch used to wait for every handler to finish, while an
   * end Update accepted meanwhile waited for the ending after the loop; neither moved again.
   */
  it('ends the session', async () => {
    const taskQueue = 'tevis-workflow-tests-gated';
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const activities = createSessionActivities({
      db: testbed.db.db,
      dbKind: testbed.db.kind,
      home: testbed.home,
    });
    const worker = await Worker.create({
      connection: testbed.env.nativeConnection,
      namespace: testbed.env.namespace ?? 'default',
      taskQueue,
      workflowBundle,
      activities: {
        ...activities,
        // The real activity, held until the test has its end Update accepted.
        recordTransition: async (input: RecordTransitionInput) => {
          if (input.event.type === 'session.paused') await gate;
          return activities.recordTransition(input);
        },
      },
    });
    try {
      await worker.runUntil(async () => {
        const state = await recordNewSession(testbed, {
          project: `inactivity-${++projects}`,
          repository: testbed.remote,
        });
        // Starting takes more events than 5: the first run hands over at once; the second run
        // waits (its history is 3 events at its first check) until the pause's workflow task.
        const handle = stampedHandle(
          await startSessionWorkflow(testbed, state, { historyLimit: 5, taskQueue }),
          state.sessionId,
          testbed.env,
        );
        await waitForNewRun(handle, handle.firstExecutionRunId);
        await waitForStatus(handle, 'active');
        await waitForArmedTimer(handle);
        expect((await queryState(handle)).run).toBe(2);

        const pause = await handle.startUpdate(pauseUpdate, { waitForStage: WorkflowUpdateStage.ACCEPTED });
        const end = await handle.startUpdate(endUpdate, { waitForStage: WorkflowUpdateStage.ACCEPTED });
        release();
        await expect(pause.result()).resolves.toEqual({ status: 'paused' });
        // The workflow must never be left with nothing that could wake it.
        expect(await settledOn(handle)).not.toBe('nothing');
        await expect(end.result()).resolves.toEqual({ status: 'ended' });
      });
    } finally {
      release();
    }
  });
});
