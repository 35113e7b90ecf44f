import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { temporalTlsFromEnv, type TemporalTlsSettings } from './temporal-tls.js';
import { resolveTpuExecutor, type TpuExecutorSetting } from './tpu-executor-setting.js';
import { workerMetricsAddressFromEnv } from './worker-metrics-address.js';
import { type LogLevel, logLevelFromEnv } from './log-level.js';
import { workerHostFromEnv } from './worker-host-name.js';

/** Everything `tevis` reads from its environment, resolved once with the documented defaults. */
export interface TevisConfig {
  /** Root of all local state: PGlite data, Temporal's file database, workspaces, the API token. */
  home: string;
  /** Port of the HTTP API (`TEVIS_PORT`, default 8082). */
  port: number;
  /** Interface the API binds (`TEVIS_HOST`, default loopback; a container sets 0.0.0.0). */
  host: string;
  /** Where the CLI reaches the API (`TEVIS_API_URL`). */
  apiUrl: string;
  /** Postgres URL; absent means the embedded PGlite under `home`. */
  databaseUrl: string | undefined;
  /** Temporal frontend address; absent means `tevis up` starts an embedded dev server. */
  temporalAddress: string | undefined;
  temporalNamespace: string;
  /** Port for the embedded dev server's frontend and its Web UI. */
  temporalPort: number;
  temporalUiPort: number;
  /** Where people open the Temporal Web UI (`TEVIS_TEMPORAL_UI_URL`; `tevis up` knows its own). Mission Control links sessions to it. */
  temporalUiUrl: string | undefined;
  taskQueue: string;
  /** This worker host's name (`TEVIS_WORKER_HOST`, see worker-host-name.ts): its workspaces' task queue. */
  workerHost: string;
  /** Explicit API token (`TEVIS_API_TOKEN`); otherwise one is generated and stored under `home`. */
  apiToken: string | undefined;
  /** Where this worker runs TPUs (`TEVIS_TPU_EXECUTOR`: docker, sandbox or none; default from what the host has). */
  tpuExecutor: TpuExecutorSetting;
  /** The container engine (`DOCKER_HOST`); absent means the default socket. */
  dockerHost: string | undefined;
  /** Shared payload codec key (`TEVIS_TEMPORAL_CODEC_KEY`, base64); otherwise one is generated under `home`. Never logged. */
  temporalCodecKey: string | undefined;
  /** TLS to an external cluster (`TEMPORAL_TLS*`); undefined means plaintext (the loopback dev server). */
  temporalTls: TemporalTlsSettings | undefined;
  /** Where a worker serves the Temporal SDK's Prometheus metrics (`TEVIS_WORKER_METRICS_ADDRESS`, ip:port); undefined means off. */
  workerMetricsAddress: string | undefined;
  /** TEVIS_LOG_LEVEL: the least severe JSON log line written (runtime/logger.ts). */
  logLevel: LogLevel;
}

export const TASK_QUEUE = 'tevis';

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > 65535) {
    throw new Error(`${name} must be a port number between 1 and 65535, got "${raw}"`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TevisConfig {
  const home = resolve(env.TEVIS_HOME || join(homedir(), '.tevis-runtime'));
  const port = intFromEnv(env, 'TEVIS_PORT', 8082);
  return {
    home,
    port,
    host: env.TEVIS_HOST || '127.0.0.1',
    apiUrl: (env.TEVIS_API_URL || `http://127.0.0.1:${port}`).replace(/\/+$/, ''),
    databaseUrl: env.DATABASE_URL || undefined,
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE || 'default',
    temporalPort: intFromEnv(env, 'TEVIS_TEMPORAL_PORT', 7233),
    temporalUiPort: intFromEnv(env, 'TEVIS_TEMPORAL_UI_PORT', 8233),
    temporalUiUrl: env.TEVIS_TEMPORAL_UI_URL?.replace(/\/+$/, '') || undefined,
    taskQueue: env.TEVIS_TASK_QUEUE || TASK_QUEUE,
    workerHost: workerHostFromEnv(env, home),
    apiToken: env.TEVIS_API_TOKEN || undefined,
    tpuExecutor: resolveTpuExecutor(env),
    dockerHost: env.DOCKER_HOST || undefined,
    temporalCodecKey: env.TEVIS_TEMPORAL_CODEC_KEY || undefined,
    temporalTls: temporalTlsFromEnv(env),
    workerMetricsAddress: workerMetricsAddressFromEnv(env),
    logLevel: logLevelFromEnv(env),
  };
}
