import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createSessionActivities, type ActivityDeps } from '../activities/index.js';

export interface SessionWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  workflowBundle: WorkflowBundleOption;
  /** Tevis's sealing codec: without it the worker would read and run anybody's plaintext. */
  dataConverter?: DataConverter;
  /** A stable identity shows in the Temporal UI which worker ran what. */
  identity?: string;
}

export function createSessionWorker(options: SessionWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle,
    activities: createSessionActivities(options.deps),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
    // A crashed worker's sticky tasks move to another worker quickly.
    stickyQueueScheduleToStartTimeout: '5 seconds',
    shutdownGraceTime: '10 seconds',
    // Heartbeats reach the server at most every heartbeatTimeout × 0.8 by default (16 s for a TPU
    // run), and a cancellation only reaches an activity in the answer to one: without this cap,
    // cancelling a running nanocycle took up to ~16 s before its container was even stopped.
    maxHeartbeatThrottleInterval: '1 second',
  });
}
