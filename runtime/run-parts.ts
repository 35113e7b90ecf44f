import type { Server } from 'node:http';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createApi } from '../api/app.js';
import { answerClientErrorsAsProblems } from '../api/client-error-reply.js';
import { SEARCH_ATTRIBUTE_NAMES } from '../contracts/search-attributes.js';
import { openDatabase, type OpenDatabase } from '../db/database.js';
import { createSessionWorker } from '../worker/session-worker.js';
import { loadWorkflowBundle } from '../worker/workflow-bundle.js';
import { loadOrCreateApiToken } from './api-token.js';
import type { TevisConfig } from './config.js';
import { ensureSearchAttributes } from './temporal-dev-server.js';
import { TEVIS_VERSION } from './version.js';

/** The parts `tevis up`, `tevis worker` and `tevis api` are made of; each returns how to stop it. */

export function openConfiguredDatabase(config: TevisConfig): Promise<OpenDatabase> {
  return openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { pgliteDir: join(config.home, 'pglite') });
}

export const SEARCH_ATTRIBUTES = Object.fromEntries(Object.values(SEARCH_ATTRIBUTE_NAMES).map((name) => [name, 'Keyword' as const]));

export async function connectTemporalClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  // Clusters we did not start ourselves may lack our search attributes; the UI filters need them.
  await ensureSearchAttributes(connection, namespace, SEARCH_ATTRIBUTES);
  return new Client({ connection, namespace });
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export async function startWorker(config: TevisConfig, address: string, database: OpenDatabase): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address });
  const worker = await createSessionWorker({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    deps: { db: database.db, dbKind: database.kind, home: config.home },
    workflowBundle: await loadWorkflowBundle(),
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => {});
      await connection.close();
    },
  };
}

export interface RunningApi {
  url: string;
  token: string;
  stop(): Promise<void>;
}

export async function startApi(config: TevisConfig, client: Client, database: OpenDatabase): Promise<RunningApi> {
  const token = await loadOrCreateApiToken(config.home, config.apiToken);
  const temporalUi = config.temporalUiUrl ? { url: config.temporalUiUrl, namespace: config.temporalNamespace } : null;
  const { app } = createApi({ database, temporal: client, taskQueue: config.taskQueue, token, version: TEVIS_VERSION, temporalUi });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s as Server));
    answerClientErrorsAsProblems(s as Server);
    (s as Server).once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${config.port} is in use; is another \`tevis up\` running? Set TEVIS_PORT to use another`) : error),
    );
  });
  return {
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`,
    token,
    async stop() {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export { TEVIS_VERSION };
