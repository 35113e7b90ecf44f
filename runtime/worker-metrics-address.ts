import { isIP } from 'node:net';

/**
 * TEVIS_WORKER_METRICS_ADDRESS as `ip:port` (`127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464` in a
 * container). The SDK's native exporter parses it as a socket address, which takes no host names,
 * and would only say so once the worker is half started: checked here, with the setting's name.
 */
export function workerMetricsAddressFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.TEVIS_WORKER_METRICS_ADDRESS?.trim();
  if (!raw) return undefined;
  const match = raw.match(/^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/);
  const host = match?.[1] ?? match?.[2];
  const ipVersion = host ? isIP(host) : 0;
  const port = Number(match?.[3]);
  const bracketsRight = match?.[1] ? ipVersion === 6 : ipVersion === 4;
  if (!match || !bracketsRight || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(
      `TEVIS_WORKER_METRICS_ADDRESS must be an IP address and port such as 127.0.0.1:9464 or [::1]:9464, got "${raw}"`,
    );
  return raw;
}
