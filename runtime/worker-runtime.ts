import { Runtime } from '@temporalio/worker';
import type { Logger } from './logger.js';
import { temporalLogger, temporalLogLevel } from './temporal-logger.js';

export interface WorkerRuntimeOptions {
  /** Where the SDK's logs go (runtime/temporal-logger.ts); the SDK's default when absent. */
  logger?: Logger;
  /** TEVIS_WORKER_METRICS_ADDRESS: where the SDK's own worker metrics are served, if anywhere. */
  metricsAddress?: string;
}

/**
 * The one install of the Temporal SDK's runtime in a worker process. It can be installed only once
 * a process, before its first native connection, so this runs just before the worker connects
 * (runtime/run-parts.ts), with everything the runtime carries:
 * - the logger, with core's native lines forwarded to it, so stderr holds JSON lines only;
 * - the SDK's own worker metrics (`temporal_…`: polls, task latencies, slots, sticky cache) on
 *   `metricsAddress` at `/metrics`, through the SDK's native Prometheus exporter. A second install,
 *   or an address the exporter cannot bind, is a startup error that names the setting.
 */
export function installWorkerRuntime(options: WorkerRuntimeOptions): void {
  const { logger, metricsAddress } = options;
  if (!logger && !metricsAddress) return;
  try {
    Runtime.install({
      ...(logger && { logger: temporalLogger(logger) }),
      telemetryOptions: {
        ...(logger && {
          logging: { forward: {}, filter: { core: temporalLogLevel(logger), other: 'ERROR' } },
        }),
        ...(metricsAddress && { metrics: { prometheus: { bindAddress: metricsAddress } } }),
      },
    });
  } catch (error) {
    if (!metricsAddress) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `TEVIS_WORKER_METRICS_ADDRESS=${metricsAddress}: the worker cannot serve its metrics there (${reason}); choose a free address or unset it`,
    );
  }
}
