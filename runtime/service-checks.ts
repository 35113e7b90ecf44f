import Docker from 'dockerode';
import { sql } from 'drizzle-orm';
import type { Client } from '@temporalio/client';
import protos from '@temporalio/proto';

const { temporal } = protos;
import type { ServiceCheck } from '../contracts/responses.js';
import type { Database } from '../db/database.js';

export type { ServiceCheck };

/** Workers long-poll for up to a minute; a poll older than this means the worker is gone. */
const RECENT_POLL_MS = 75_000;


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
    const detail = await withTimeout(check(), 5000, what);
    return { status: 'ok', detail, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: 'unavailable', detail: (error as Error).message, latencyMs: Math.round(performance.now() - started) };
  }
}

export function checkDatabase(db: Database, kind: string): Promise<ServiceCheck> {
  return timed('database', async () => {
    await db.execute(sql`select 1`);
    return kind;
  });
}

/** The engine at DOCKER_HOST (or the default socket); TPUs fall back to local processes without it. */
export function checkContainerEngine(): Promise<ServiceCheck> {
  return timed('container engine', async () => {
    const version = await new Docker().version();
    return `Docker ${version.Version}`;
  });
}

export function checkTemporal(client: Client): Promise<ServiceCheck> {
  return timed('Temporal', async () => {
    const info = await client.connection.workflowService.getSystemInfo({});
    return `server ${info.serverVersion || 'unknown version'} at namespace ${client.options.namespace}`;
  });
}

/** Whether any worker polls the task queue, i.e. whether sessions will actually make progress. */
export function checkWorkers(client: Client, taskQueue: string): Promise<ServiceCheck> {
  return timed('worker', async () => {
    const response = await client.connection.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    // Temporal keeps a poller listed for a while after it is gone; only recent polls count.
    const recent = Date.now() - RECENT_POLL_MS;
    const pollers = (response.pollers ?? []).filter((p) => {
      const seconds = Number(p.lastAccessTime?.seconds ?? 0);
      return seconds * 1000 >= recent;
    }).length;
    if (pollers === 0) throw new Error(`no worker polls task queue "${taskQueue}"; start one with \`tevis worker\``);
    return `${pollers} poller(s) on "${taskQueue}"`;
  });
}
