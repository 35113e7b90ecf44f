import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createSessionActivities, type ActivityDeps } from '../activities/index.js';

export interface SessionWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  workflowBundle: WorkflowBundleOption;
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
    ...(options.identity ? { identity: options.identity } : {}),
    // A crashed worker's sticky tasks move to another worker quickly.
    stickyQueueScheduleToStartTimeout: '5 seconds',
    shutdownGraceTime: '10 seconds',
  });
}
