import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import pg from 'pg';
import { inject } from 'vitest';
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
import { freeLoopbackPort } from './free-port.js';
import { ensureBubblewrap } from './bubblewrap.js';

/**
 * Tevis in-process for the HTTP integration tests: a database of its own (a fresh database on
 * the shared Postgres server, or PGlite under a temporary TEVIS_HOME), the real worker on a task
 * queue of its own (so workers of other test files never take its tasks), and the real API on a
 * free loopback port, all against the shared Temporal dev server of the global setup.
 */

export type DatabaseKind = 'postgres' | 'pglite';

/** Generous: only a hang should ever reach it. */
export const HANG_MS = 120_000;

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

export interface CallOptions {
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** `null` sends no Authorization header; a string sends that token instead of the right one. */
  token?: string | null;
  /** Content type of a raw (string or bytes) body; JSON bodies are application/json unless set. */
  contentType?: string;
}

export interface ApiReply<T = any> {
  status: number;
  headers: Headers;
  contentType: string;
  text: string;
  /** The parsed body when it is JSON or problem+json, else undefined. */
  json: T;
}

export interface Harness {
  apiUrl: string;
  token: string;
  home: string;
  config: TevisConfig;
  database: OpenDatabase;
  databaseKind: DatabaseKind;
  temporalClient: Client;
  /**
   * One request to the API with the token. An object body goes as JSON; a string, Buffer or
   * Uint8Array body goes as it is (content type from `options.contentType`).
   */
  call<T = any>(method: string, path: string, body?: unknown, options?: CallOptions): Promise<ApiReply<T>>;
  /** Polls GET /sessions/:id until `done(reply)` holds; fails only after HANG_MS. */
  waitForSession(id: string, done: (session: any) => boolean, what?: string): Promise<any>;
  /** Stops the API (dropping every open connection, streams too) and starts it again on the same port. */
  restartApi(): Promise<void>;
  stop(): Promise<void>;
}

let runtimeQuieted = false;
/** The SDK's native runtime logs every worker state change at INFO; keep only warnings. */
function quietTemporalRuntime(): void {
  if (runtimeQuieted) return;
  runtimeQuieted = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed or instantiated in this process: keep it.
  }
}

function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** Creates `tevis_<random>` on the shared server; drop() removes it with its connections. */
export async function createFreshPostgresDatabase(
  serverUrl: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `tevis_${randomSuffix()}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => admin(`drop database if exists ${name} with (force)`) };
}

/**
 * Polls `probe` until it returns something other than undefined/false; fails after `timeoutMs`.
 * A probe error with `fatal: true` ends the wait at once; other errors are retried.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = HANG_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      if ((error as { fatal?: boolean }).fatal) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `; last error: ${String(lastError)}` : ''}`,
      );
    }
    await sleep(delay);
  }
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
      const fresh = await createFreshPostgresDatabase(options.postgresServerUrl ?? inject('databaseUrl'));
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

    const call = async <T = any>(
      method: string,
      path: string,
      body?: unknown,
      callOptions: CallOptions = {},
    ): Promise<ApiReply<T>> => {
      const headers: Record<string, string> = { ...callOptions.headers };
      const auth = callOptions.token === undefined ? token : callOptions.token;
      if (auth !== null) headers.authorization = `Bearer ${auth}`;
      let payload: BodyInit | undefined;
      if (body !== undefined) {
        if (typeof body === 'string' || body instanceof Uint8Array) {
          payload = body as BodyInit;
          headers['content-type'] = callOptions.contentType ?? 'application/octet-stream';
        } else {
          payload = JSON.stringify(body);
          headers['content-type'] = callOptions.contentType ?? 'application/json';
        }
      } else if (callOptions.contentType) {
        headers['content-type'] = callOptions.contentType;
      }
      const response = await fetch(apiUrl + path, { method, headers, body: payload, redirect: 'manual' });
      const text = await response.text();
      const contentType = response.headers.get('content-type') ?? '';
      let json: any;
      if (/application\/(problem\+)?json/.test(contentType)) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      return { status: response.status, headers: response.headers, contentType, text, json };
    };

    const waitForSession = (id: string, done: (session: any) => boolean, what = 'the session') =>
      waitFor(`${what} (${id})`, async () => {
        const reply = await call('GET', `/sessions/${id}`);
        if (reply.status !== 200)
          throw new Error(`GET /sessions/${id} answered ${reply.status}: ${reply.text}`);
        if (reply.json.session.status === 'failed') {
          throw Object.assign(new Error(`session ${id} failed: ${reply.json.session.failure}`), {
            fatal: true,
          });
        }
        return done(reply.json) ? reply.json : undefined;
      });

    return {
      apiUrl,
      token,
      home,
      config,
      database,
      databaseKind: options.database,
      temporalClient,
      call,
      waitForSession,
      restartApi,
      stop: runCleanups,
    };
  } catch (error) {
    await runCleanups();
    throw error;
  }
}

/** Creates a project through the API and returns it; fails the test on anything but 201. */
export async function createProject(h: Harness, body: Record<string, unknown>): Promise<any> {
  const reply = await h.call('POST', '/projects', body);
  if (reply.status !== 201) throw new Error(`POST /projects answered ${reply.status}: ${reply.text}`);
  return reply.json;
}

/** Creates a session through the API and waits until it is active; returns {session, state}. */
export async function createActiveSession(
  h: Harness,
  body: Record<string, unknown>,
): Promise<{ session: any; state: any }> {
  const reply = await h.call('POST', '/sessions', body);
  if (reply.status !== 201) throw new Error(`POST /sessions answered ${reply.status}: ${reply.text}`);
  return h.waitForSession(
    reply.json.id,
    (s) => s.session.status === 'active',
    'the session to become active',
  );
}

/** Session ids and project names in this harness's record, for "nothing changed" checks. */
export async function recordCounts(h: Harness): Promise<{ projects: number; sessions: number }> {
  const [projects, sessionsReply] = await Promise.all([
    h.call('GET', '/projects'),
    h.call('GET', '/sessions?all=true'),
  ]);
  return { projects: projects.json.projects.length, sessions: sessionsReply.json.sessions.length };
}
