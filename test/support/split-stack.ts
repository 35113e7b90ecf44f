import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { inject } from 'vitest';
import { sessionWorkflowId } from '../../contracts/ids.js';
import { openDatabase, type OpenDatabase } from '../../db/database.js';
import { sessions } from '../../db/schema.js';
import { loadConfig } from '../../runtime/config.js';
import { connectTemporalClient, startApi, type RunningApi } from '../../runtime/run-parts.js';
import { ApiClient } from './api-client.js';
import { freeLoopbackPort } from './free-port.js';
import { freshPostgresDatabase } from './fresh-postgres.js';
import { cleanEnv } from './processes.js';

/**
 * The stack split as on different hosts, for the suites that kill workers: the API in this
 * process, the workers as `tevis worker` processes of the file's own (`processes.ts`), sharing
 * only a fresh Postgres database, the shared Temporal server, a task queue and the codec key.
 */
export interface SplitStack {
  api: RunningApi;
  http: ApiClient;
  database: OpenDatabase;
  client: Client;
  /** The environment of a `tevis worker` process of this stack, in its own home, plus `extra`. */
  workerEnv(home: string, extra?: Record<string, string | undefined>): NodeJS.ProcessEnv;
  /** Ends every session workflow of the stack, then stops the API and drops the database. Kill the workers first. */
  stop(): Promise<void>;
}

export async function startSplitStack(root: string, label: string): Promise<SplitStack> {
  const fresh = await freshPostgresDatabase(inject('databaseUrl'), `tevis_${label.replace(/-/g, '_')}`);
  const taskQueue = `tevis-${label}-${randomBytes(4).toString('hex')}`;
  const token = randomBytes(24).toString('base64url');
  // API and workers live in different homes, as on different hosts: they share the codec key.
  const codecKey = randomBytes(32).toString('base64');
  const temporalAddress = inject('temporalAddress');
  const config = loadConfig({
    TEVIS_HOME: join(root, 'api-home'),
    TEVIS_PORT: String(await freeLoopbackPort()),
    TEVIS_API_TOKEN: token,
    TEVIS_TASK_QUEUE: taskQueue,
    DATABASE_URL: fresh.url,
    TEMPORAL_ADDRESS: temporalAddress,
    TEVIS_TEMPORAL_CODEC_KEY: codecKey,
  });
  const database = await openDatabase({ url: fresh.url });
  const client = await connectTemporalClient(config, temporalAddress);
  const api = await startApi(config, client, database);
  return {
    api,
    http: new ApiClient(api.url, token),
    database,
    client,
    workerEnv: (home, extra = {}) =>
      cleanEnv({
        TEVIS_HOME: home,
        DATABASE_URL: fresh.url,
        TEMPORAL_ADDRESS: temporalAddress,
        TEVIS_TASK_QUEUE: taskQueue,
        TEVIS_API_TOKEN: token,
        TEVIS_TEMPORAL_CODEC_KEY: codecKey,
        ...extra,
      }),
    async stop() {
      // No session workflow of the stack is left open on the shared server, polling a task queue
      // nobody serves any more.
      const rows = await database.db
        .select({ id: sessions.id })
        .from(sessions)
        .catch(() => []);
      await Promise.allSettled(
        rows.map((row) =>
          client.workflow.getHandle(sessionWorkflowId(row.id)).terminate('integration test finished'),
        ),
      );
      await api.stop().catch(() => {});
      await client.connection.close().catch(() => {});
      await database.close().catch(() => {});
      await fresh.drop().catch(() => {});
    },
  };
}
