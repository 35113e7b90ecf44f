import type { Server } from 'node:http';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createApi } from '../api/app.js';
import { answerClientErrorsAsProblems } from '../api/client-error-reply.js';
import { SEARCH_ATTRIBUTE_NAMES } from '../contracts/search-attributes.js';
import { openDatabase, type OpenDatabase } from '../db/database.js';
import { createSessionWorkers } from '../worker/session-worker.js';
import { hostTaskQueue } from '../contracts/worker-hosts.js';
import { recordWorkerHostStarted } from '../db/worker-hosts-store.js';
import { chooseTpuExecutor } from '../activities/tpu/choose-executor.js';
import { loadWorkflowBundle } from '../worker/workflow-bundle.js';
import { loadOrCreateApiToken } from './api-token.js';
import type { TevisConfig } from './config.js';
import { loadTemporalSecurity } from './temporal-security.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { TEVIS_VERSION } from './version.js';
import type { Logger } from './logger.js';
import { installWorkerRuntime } from './worker-runtime.js';
import { temporalConnectionOptions } from './temporal-connection-options.js';

/** The parts `tevis up`, `tevis worker` and `tevis api` are made of; each returns how to stop it. */

export function openConfiguredDatabase(config: TevisConfig): Promise<OpenDatabase> {
  return openDatabase(
    config.databaseUrl ? { url: config.databaseUrl } : { pgliteDir: join(config.home, 'pglite') },
  );
}

export const SEARCH_ATTRIBUTES = Object.fromEntries(
  Object.values(SEARCH_ATTRIBUTE_NAMES).map((name) => [name, 'Keyword' as const]),
);

type TemporalSettings = Pick<TevisConfig, 'home' | 'temporalNamespace' | 'temporalCodecKey' | 'temporalTls'>;

/** A Temporal client that seals what it sends and opens what it reads (see payload-sealing-codec.ts). */
export async function connectTemporalClient(config: TemporalSettings, address: string): Promise<Client> {
  const security = await loadTemporalSecurity(config);
  const connection = await Connection.connect({ address, tls: security.tls, ...temporalConnectionOptions() });
  // Clusters we did not start ourselves may lack our search attributes; the UI filters need them.
  await ensureSearchAttributes(connection, config.temporalNamespace, SEARCH_ATTRIBUTES);
  return new Client({
    connection,
    namespace: config.temporalNamespace,
    dataConverter: security.dataConverter,
  });
}

export interface RunningWorker {
  /** The worker of the shared queue; `workers` adds this host's own (activities only). */
  worker: Worker;
  workers: Worker[];
  /** This worker host's name (TEVIS_WORKER_HOST). */
  host: string;
  stop(): Promise<void>;
}

export async function startWorker(
  config: TevisConfig,
  address: string,
  database: OpenDatabase,
  logger?: Logger,
): Promise<RunningWorker> {
  const security = await loadTemporalSecurity(config);
  // Before the first native connection: the SDK's runtime is fixed by then. Without a logger (the
  // in-process test stack) the SDK keeps its default one.
  installWorkerRuntime({ logger, metricsAddress: config.workerMetricsAddress });
  const connection = await NativeConnection.connect({ address, tls: security.tls });
  const workers = await createSessionWorkers({
    connection,
    dataConverter: security.dataConverter,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    hostTaskQueue: hostTaskQueue(config.taskQueue, config.workerHost),
    // The TPU executor is chosen here, once, from this worker's configuration (TEVIS_TPU_EXECUTOR).
    deps: {
      db: database.db,
      dbKind: database.kind,
      home: config.home,
      host: config.workerHost,
      tpu: chooseTpuExecutor(config.tpuExecutor, config.dockerHost, database.db),
    },
    workflowBundle: await loadWorkflowBundle(),
  });
  await recordWorkerHostStarted(database.db, config.workerHost);
  const running = workers.map((w) => w.run());
  return {
    worker: workers[0]!,
    workers,
    host: config.workerHost,
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(running);
      await connection.close();
    },
  };
}

export interface RunningApi {
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** Where the API answers, as a browser on this host reaches it. */
export function apiBaseUrl(config: Pick<TevisConfig, 'host' | 'port'>): string {
  return `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
}

export async function startApi(
  config: TevisConfig,
  client: Client,
  database: OpenDatabase,
  logger?: Logger,
): Promise<RunningApi> {
  const token = await loadOrCreateApiToken(config.home, config.apiToken);
  const temporalUi = config.temporalUiUrl
    ? { url: config.temporalUiUrl, namespace: config.temporalNamespace }
    : null;
  const { uiCodec } = await loadTemporalSecurity(config);
  // The Web UI's origin: the only one whose browser credential the codec endpoint accepts.
  const temporalUiOrigin = config.temporalUiUrl ? new URL(config.temporalUiUrl).origin : null;
  const { app } = createApi({
    database,
    temporal: client,
    taskQueue: config.taskQueue,
    token,
    version: TEVIS_VERSION,
    temporalUi,
    codec: { codec: uiCodec, uiOrigin: temporalUiOrigin },
    logger,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(s as Server),
    );
    answerClientErrorsAsProblems(s as Server);
    (s as Server).once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `port ${config.port} is in use; is another \`tevis up\` running? Set TEVIS_PORT to use another`,
            )
          : error,
      ),
    );
  });
  return {
    url: apiBaseUrl(config),
    token,
    async stop() {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export { TEVIS_VERSION };
