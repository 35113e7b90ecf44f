import { Runtime } from '@temporalio/worker';

/**
 * Serves the Temporal SDK's own worker metrics (`temporal_…`: polls, task latencies, slots, sticky
 * cache) on `address` at `/metrics`, through the SDK's native Prometheus exporter. The SDK's runtime
 * can be installed only once a process, before its first native connection, so this runs just
 * before the worker connects (runtime/run-parts.ts); a second install, or an address the exporter
 * cannot bind, is a startup error that names the setting.
 */
export function serveWorkerMetrics(address: string): void {
  try {
    Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: address } } } });
  } catch (error) {
    throw new Error(
      `TEVIS_WORKER_METRICS_ADDRESS=${address}: the worker cannot serve its metrics there (${
        error instanceof Error ? error.message : String(error)
      }); choose a free address or unset it`,
    );
  }
}
