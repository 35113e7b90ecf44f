import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Runtime, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createSessionActivities, tpuExecutorOf, type ActivityDeps } from '../activities/index.js';

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
  /**
   * This worker host's own task queue (contracts/worker-hosts.ts): the workspace activities of
   * the sessions it holds. Absent: the worker serves the shared queue only, as before hosts.
   */
  hostTaskQueue?: string;
}

export async function createSessionWorker(options: SessionWorkerOptions): Promise<Worker> {
  const [shared] = await createSessionWorkers(options);
  return shared!;
}

/**
 * The worker of the shared queue (workflows and any activity) and, on a worker host, the worker
 * of its own queue (activities only), with one set of activities and one TPU executor.
 */
export async function createSessionWorkers(options: SessionWorkerOptions): Promise<Worker[]> {
  // One executor for the worker's life, chosen now.
  const tpu = tpuExecutorOf(options.deps);
  await sweepLeftContainers(tpu, options.deps);
  const activities = createSessionActivities({ ...options.deps, tpu });
  const common = {
    connection: options.connection,
    namespace: options.namespace,
    activities,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
    // A stopping worker cancels its activities at once (as a worker shutdown): a TPU run then hands
    // over to another worker straight away, which re-attaches to its container, instead of the
    // run waiting out a grace period here. Activities that do not listen for cancellation (git,
    // records) are not cut short: they finish, and the worker stops once they have.
    shutdownGraceTime: 0,
    // Heartbeats reach the server at most every heartbeatTimeout × 0.8 by default (16 s for a TPU
    // run), and a cancellation only reaches an activity in the answer to one: without this cap,
    // cancelling a running nanocycle took up to ~16 s before its container was even stopped.
    maxHeartbeatThrottleInterval: '1 second',
  };
  const shared = await Worker.create({
    ...common,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle,
    // A crashed worker's sticky tasks move to another worker quickly.
    stickyQueueScheduleToStartTimeout: '5 seconds',
    maxCachedWorkflows: workflowCacheSize(),
  });
  if (!options.hostTaskQueue) return [shared];
  return [shared, await Worker.create({ ...common, taskQueue: options.hostTaskQueue })];
}

/**
 * Sessions whose workflow state the worker keeps in memory between their tasks. The SDK's default
 * sizes the cache from the heap limit (some 2,300 on a 4 GB heap), so every open session, idle or
 * not, held its workflow in memory: that was what grew per session (bench/idle-sessions.ts). A
 * session that drops out of the cache is replayed from its history at its next task (a command or
 * its inactivity timer), which for an idle session is a short history; TEVIS_WORKFLOW_CACHE_SIZE
 * sets another size.
 */
export const DEFAULT_WORKFLOW_CACHE_SIZE = 200;

export function workflowCacheSize(): number {
  const asked = Number(process.env.TEVIS_WORKFLOW_CACHE_SIZE);
  return Number.isInteger(asked) && asked >= 2 ? asked : DEFAULT_WORKFLOW_CACHE_SIZE;
}

/** An engine that hangs must not keep a worker from starting. */
const SWEEP_TIMEOUT_MS = 15_000;

/**
 * Containers of nanocycles that are final in the record, left by a crash or a cancel racing a run,
 * go before this worker takes work. A sweep that fails (the engine down) does not stop the worker:
 * its runs fail or wait on the engine on their own.
 */
async function sweepLeftContainers(tpu: ReturnType<typeof tpuExecutorOf>, deps: ActivityDeps): Promise<void> {
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${SWEEP_TIMEOUT_MS} ms`)),
        SWEEP_TIMEOUT_MS,
      );
    });
    const { removed } = await Promise.race([tpu.sweep(deps.db), timeout]).finally(() => clearTimeout(timer));
    // The runtime's logger: JSON lines under `tevis worker` (runtime/worker-runtime.ts).
    if (removed.length)
      Runtime.instance().logger.info('removed TPU containers of finished nanocycles', {
        containers: removed,
      });
  } catch (error) {
    Runtime.instance().logger.warn('could not sweep left TPU containers', { error });
  }
}
