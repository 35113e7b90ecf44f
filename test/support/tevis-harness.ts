import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { inject } from 'vitest';
import type { Project, ProjectCreate } from '../../contracts/project.js';
import type { SessionWithState } from '../../contracts/responses.js';
import type { Session, SessionCreate } from '../../contracts/session.js';
import { sessionWorkflowId } from '../../contracts/ids.js';
import type { OpenDatabase } from '../../db/database.js';
import { sessions } from '../../db/schema.js';
import { loadConfig, type TevisConfig } from '../../runtime/config.js';
import {
  connectTemporalClient,
  openConfiguredDatabase,
  startApi,
  startWorker,
  type RunningApi,
  type RunningWorker,
} from '../../runtime/run-parts.js';
import { ApiClient } from './api-client.js';
import { ensureBubblewrap } from './bubblewrap.js';
import { freeLoopbackPort } from './free-port.js';
import { freshPostgresDatabase } from './fresh-postgres.js';
import { quietTemporalRuntime } from './temporal-runtime.js';

/**
 * The whole stack in this process, for the HTTP integration tests: a database of its own (a fresh
 * database on the shared Postgres server, or PGlite under a temporary TEVIS_HOME), the real worker
 * on a task queue of its own (so workers of other test files never take its tasks), and the real
 * API on a free loopback port, all against the shared Temporal dev server of the global setup.
 * The stack with its workers as processes of their own is `split-stack.ts` (child processes:
 * `processes.ts`); the API alone in this process, for the fast route tests, is `route-app.ts`. All
 * are reached through one client (`api-client.ts`).
 */

export type DatabaseKind = 'postgres' | 'pglite';

export interface HarnessOptions {
  database: DatabaseKind;
  /** Shows up in the task queue and database names, to tell runs apart. */
  label?: string;
  /** More configuration, e.g. TEVIS_TEMPORAL_UI_URL. */
  env?: Record<string, string>;
  /**
   * Services of the test's own instead of the shared ones, for tests that stop them (outages):
   * a Postgres server URL (a fresh database is made on it) and a Temporal frontend address.
   */
  postgresServerUrl?: string;
  temporalAddress?: string;
}

export interface Harness {
  apiUrl: string;
  token: string;
  home: string;
  config: TevisConfig;
  database: OpenDatabase;
  databaseKind: DatabaseKind;
  temporalClient: Client;
  /** The API's client: `api.call` for raw requests, `api.typed` for the CLI's typed one. */
  api: ApiClient;
  /** `api.call`, the raw request most cases make. */
  call: ApiClient['call'];
  /** `api.waitForSession`. */
  waitForSession: ApiClient['waitForSession'];
  /** Stops the API (dropping every open connection, streams too) and starts it again on the same port. */
  restartApi(): Promise<void>;
  stop(): Promise<void>;
}

function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  quietTemporalRuntime();
  const label = (options.label ?? 'it').replace(/[^a-z0-9-]/gi, '-').toLowerCase();
  const cleanups: Array<() => Promise<unknown>> = [];
  const runCleanups = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    cleanups.length = 0;
    if (errors.length) console.warn(`[tevis harness] ${errors.length} cleanup step(s) failed:`, ...errors);
  };

  try {
    const home = await mkdtemp(join(tmpdir(), `tevis-it-${label}-`));
    cleanups.push(() => rm(home, { recursive: true, force: true }));

    let databaseUrl: string | undefined;
    if (options.database === 'postgres') {
      const fresh = await freshPostgresDatabase(options.postgresServerUrl ?? inject('databaseUrl'));
      cleanups.push(() => fresh.drop());
      databaseUrl = fresh.url;
    }

    const temporalAddress = options.temporalAddress ?? inject('temporalAddress');
    const port = await freeLoopbackPort();
    const env: NodeJS.ProcessEnv = {
      TEVIS_HOME: home,
      TEVIS_PORT: String(port),
      TEVIS_HOST: '127.0.0.1',
      TEMPORAL_ADDRESS: temporalAddress,
      TEVIS_TASK_QUEUE: `tevis-it-${label}-${randomSuffix()}`,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      // Chosen, never inferred from what this machine happens to have: the bubblewrap sandbox
      // unless a test asks for docker (with its own DOCKER_HOST).
      TEVIS_TPU_EXECUTOR: 'sandbox',
      ...options.env,
    };
    if (env.TEVIS_TPU_EXECUTOR === 'sandbox') await ensureBubblewrap();
    const config = loadConfig(env);

    const database = await openConfiguredDatabase(config);
    cleanups.push(() => database.close());

    const temporalClient = await connectTemporalClient(config, temporalAddress);
    cleanups.push(() => temporalClient.connection.close());

    const worker: RunningWorker = await startWorker(config, temporalAddress, database);
    cleanups.push(() => worker.stop());

    // Before the worker stops: no session workflow of this run is left open on the shared
    // server, polling a task queue nobody serves any more.
    cleanups.push(async () => {
      const rows = await database.db.select({ id: sessions.id, status: sessions.status }).from(sessions);
      await Promise.allSettled(
        rows.map((row) =>
          temporalClient.workflow.getHandle(sessionWorkflowId(row.id)).terminate('integration test finished'),
        ),
      );
    });

    let api: RunningApi = await startApi(config, temporalClient, database);
    cleanups.push(() => api.stop());
    const restartApi = async () => {
      await api.stop();
      api = await startApi(config, temporalClient, database);
    };

    const apiUrl = api.url;
    const token = api.token;
    const client = new ApiClient(apiUrl, token);

    return {
      apiUrl,
      token,
      home,
      config,
      database,
      databaseKind: options.database,
      temporalClient,
      api: client,
      call: client.call.bind(client),
      waitForSession: client.waitForSession.bind(client),
      restartApi,
      stop: runCleanups,
    };
  } catch (error) {
    await runCleanups();
    throw error;
  }
}

/** Creates a project through the API and returns it; fails the test on anything but 201. */
export async function createProject(h: Harness, body: ProjectCreate): Promise<Project> {
  return h.api.ok<Project>('POST', '/projects', body, 201);
}

/** A session that became active: its workspace exists. */
export type ActiveSession = SessionWithState & { session: Session & { workspacePath: string } };

/** Creates a session through the API and waits until it is active; returns {session, state}. */
export async function createActiveSession(h: Harness, body: SessionCreate): Promise<ActiveSession> {
  const created = await h.api.ok<{ id: string }>('POST', '/sessions', body, 201);
  const active = await h.waitForSession(
    created.id,
    (s) => s.session.status === 'active',
    'the session to become active',
  );
  const { workspacePath } = active.session;
  if (workspacePath === null) throw new Error(`session ${created.id} is active without a workspace`);
  return { ...active, session: { ...active.session, workspacePath } };
}

/** Session ids and project names in this harness's record, for "nothing changed" checks. */
export async function recordCounts(h: Harness): Promise<{ projects: number; sessions: number }> {
  const [projects, sessionList] = await Promise.all([
    h.api.typed.listProjects(),
    h.api.typed.listSessions({ all: true }),
  ]);
  return { projects: projects.length, sessions: sessionList.length };
}
