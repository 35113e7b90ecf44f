import type { Client } from '@temporalio/client';
import protos from '@temporalio/proto';

const { temporal } = protos;
import type { ServiceCheck } from '../contracts/responses.js';
import { pingDatabase, type Database } from '../db/database.js';
import type { TpuExecutor } from '../activities/tpu/tpu-executor.js';
import { chooseTpuExecutor } from '../activities/tpu/choose-executor.js';
import { loadConfig } from './config.js';

export type { ServiceCheck };

/** Workers long-poll for up to a minute; a poll older than this means the worker is gone. */
const RECENT_POLL_MS = 75_000;
/** How long one service check waits for its answer. */
const CHECK_TIMEOUT_MS = 5000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function timed(what: string, check: () => Promise<string>): Promise<ServiceCheck> {
  const started = performance.now();
  try {
    const detail = await withTimeout(check(), CHECK_TIMEOUT_MS, what);
    return { status: 'ok', detail, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'unavailable',
      detail: (error as Error).message,
      latencyMs: Math.round(performance.now() - started),
    };
  }
}

export function checkDatabase(db: Database, kind: string): Promise<ServiceCheck> {
  return timed('database', async () => {
    await pingDatabase(db);
    return kind;
  });
}

/** The executor this process's configuration names, made once (the sandbox's probe runs once). */
let configuredExecutor: TpuExecutor | null = null;

/**
 * The TPU executor and whether it can run a TPU now: `docker (Docker 24.0.7 at …)`, `sandbox
 * (bubblewrap 0.8.0)`, or unavailable with the fix. Without one given, the executor this
 * process's configuration names (the API beside its worker in `tevis up` sees the same).
 */
export function checkContainerEngine(executor?: TpuExecutor): Promise<ServiceCheck> {
  return timed('TPU executor', async () => {
    if (!executor && !configuredExecutor) {
      const config = loadConfig();
      // check() never touches the record: no database here.
      configuredExecutor = chooseTpuExecutor(config.tpuExecutor, config.dockerHost, null as never);
    }
    return (executor ?? configuredExecutor)!.check();
  });
}

/**
 * The call itself must end with the check: without a deadline, the client keeps retrying an
 * unreachable frontend in the background long after the check answered, and a retry that fires
 * after the connection closed throws where nobody catches it.
 */
function withinCheckDeadline<T>(client: Client, call: () => Promise<T>): Promise<T> {
  return client.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, call);
}

export function checkTemporal(client: Client): Promise<ServiceCheck> {
  return timed('Temporal', async () => {
    const info = await withinCheckDeadline(client, () => client.connection.workflowService.getSystemInfo({}));
    return `server ${info.serverVersion || 'unknown version'} at namespace ${client.options.namespace}`;
  });
}

/** Workers that polled the task queue lately (Temporal keeps a gone poller listed for a while). */
export async function recentPollers(
  client: Client,
  taskQueue: string,
  kind: 'workflow' | 'activity',
): Promise<number> {
  const response = await withinCheckDeadline(client, () =>
    client.connection.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType:
        kind === 'workflow'
          ? temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
          : temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    }),
  );
  const recent = Date.now() - RECENT_POLL_MS;
  return (response.pollers ?? []).filter((p) => Number(p.lastAccessTime?.seconds ?? 0) * 1000 >= recent)
    .length;
}

/** Whether any worker polls the task queue, i.e. whether sessions will actually make progress. */
export function checkWorkers(client: Client, taskQueue: string): Promise<ServiceCheck> {
  return timed('worker', async () => {
    const pollers = await recentPollers(client, taskQueue, 'workflow');
    if (pollers === 0)
      throw new Error(`no worker polls task queue "${taskQueue}"; start one with \`tevis worker\``);
    return `${pollers} poller(s) on "${taskQueue}"`;
  });
}
