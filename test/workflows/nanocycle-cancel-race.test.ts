import protos from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSessionActivities } from '../../activities/index.js';
import type { TpuRunInput, TpuRunResult } from '../../activities/tpu/tpu-spec.js';
import { sessionWorkflowId } from '../../contracts/ids.js';
import { createNanocycleUpdate } from '../../workflows/nanocycle-messages.js';
import { stampedHandle } from '../support/stamped-handle.js';
import {
  bundleSessionWorkflows,
  recordNewSession,
  startSessionWorkflow,
  startTestbed,
  waitForStatus,
  type Testbed,
} from '../support/session-testbed.js';

/**
 * A cancel that reaches a nanocycle just as its TPU run finishes: the run's activity completes
 * (it never saw the cancel), and the workflow goes on in a cancelled scope. The container of that
 * run must still be removed. The TPU activity here is a stand-in that holds its result until the
 * cancel request is in the nanocycle's history, which makes the race happen every time; every
 * other activity is the real one.
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

describe('nanocycle workflow: a cancel racing the end of a TPU run', () => {
  it("still removes the run's container", async () => {
    const taskQueue = 'tevis-workflow-tests-cancel-race';
    const removed: string[] = [];
    const activities = createSessionActivities({
      db: testbed.db.db,
      dbKind: testbed.db.kind,
      home: testbed.home,
    });
    let childId = '';
    const worker = await Worker.create({
      connection: testbed.env.nativeConnection,
      namespace: testbed.env.namespace ?? 'default',
      taskQueue,
      workflowBundle,
      activities: {
        ...activities,
        runTpu: async (input: TpuRunInput): Promise<TpuRunResult> => {
          const child = testbed.client.workflow.getHandle(childId);
          await child.cancel();
          // Hold the result until the workflow has asked this activity to cancel.
          for (;;) {
            const history = await child.fetchHistory();
            if (
              history.events?.some((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED)
            )
              break;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          const now = new Date().toISOString();
          return {
            exitCode: 0,
            executor: 'docker',
            containerName: `tevis-race-${input.runId}`,
            tail: [],
            logLines: 0,
            lastSeq: 0,
            timedOut: false,
            startedAt: now,
            finishedAt: now,
          };
        },
        removeTpuContainer: async (name: string) => {
          removed.push(name);
          return { removed: true };
        },
      },
    });
    await worker.runUntil(async () => {
      const state = await recordNewSession(testbed, { project: 'cancel-race', repository: testbed.remote });
      // Stamped as the API stamps its commands: the session refuses anything else.
      const handle = stampedHandle(
        await startSessionWorkflow(testbed, state, { taskQueue }),
        state.sessionId,
        testbed.env,
      );
      await waitForStatus(handle, 'active');
      const created = await handle.executeUpdate(createNanocycleUpdate, {
        args: [{ name: 'racer', run: ['true'] }],
      });
      childId = `${sessionWorkflowId(state.sessionId)}-${created.id}`;
      const outcome = await testbed.client.workflow.getHandle(childId).result();
      expect(outcome).toMatchObject({ status: 'cancelled' });
      expect(removed).toHaveLength(1);
      expect(removed[0]).toMatch(/^tevis-race-/);
    });
  });
});
