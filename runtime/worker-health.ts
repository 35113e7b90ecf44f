import { TASK_QUEUE } from './config.js';
import { workerMetricsAddressFromEnv } from './worker-metrics-address.js';

/**
 * Whether a `tevis worker` is polling, read from the Temporal SDK's own metrics at
 * TEVIS_WORKER_METRICS_ADDRESS (runtime/worker-runtime.ts): a container's health check. The
 * exporter answers as soon as the SDK's runtime is installed; the worker counts only once it has a
 * poller on its task queue (`temporal_num_pollers`), so a worker still waiting for its services, or
 * one whose runtime is up but whose worker is gone, is unhealthy.
 */
export interface WorkerHealth {
  healthy: boolean;
  detail: string;
}

const SCRAPE_TIMEOUT_MS = 4000;

/** The address to scrape from inside the worker's own host: a wildcard bind answers on loopback. */
function scrapeAddress(bound: string): string {
  if (bound.startsWith('0.0.0.0:')) return `127.0.0.1:${bound.slice('0.0.0.0:'.length)}`;
  if (bound.startsWith('[::]:')) return `[::1]:${bound.slice('[::]:'.length)}`;
  return bound;
}

/** The value of each `temporal_num_pollers` sample of `taskQueue`, from Prometheus text. */
function pollersOf(text: string, taskQueue: string): number[] {
  const label = `task_queue="${taskQueue.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return text
    .split('\n')
    .filter((line) => line.startsWith('temporal_num_pollers{') && line.includes(label))
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
}

export async function checkWorkerHealth(env: NodeJS.ProcessEnv = process.env): Promise<WorkerHealth> {
  let bound: string | undefined;
  try {
    bound = workerMetricsAddressFromEnv(env);
  } catch (error) {
    return { healthy: false, detail: (error as Error).message };
  }
  if (!bound)
    return {
      healthy: false,
      detail: 'TEVIS_WORKER_METRICS_ADDRESS is not set: the worker serves no metrics to check',
    };
  const url = `http://${scrapeAddress(bound)}/metrics`;
  const taskQueue = env.TEVIS_TASK_QUEUE || TASK_QUEUE;
  let text: string;
  try {
    const reply = await fetch(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    if (!reply.ok) return { healthy: false, detail: `${url} answered ${reply.status}` };
    text = await reply.text();
  } catch (error) {
    const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    return { healthy: false, detail: `${url} does not answer (${reason}): the worker has not started` };
  }
  const pollers = pollersOf(text, taskQueue);
  if (!pollers.some((value) => value > 0))
    return { healthy: false, detail: `the worker has no poller on task queue "${taskQueue}" yet` };
  return { healthy: true, detail: `the worker polls task queue "${taskQueue}"` };
}
