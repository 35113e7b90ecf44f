import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createApi } from '../../api/app.js';
import { newSessionId } from '../../contracts/ids.js';
import { DEFAULT_PROJECT_SETTINGS } from '../../contracts/project.js';
import type { SessionStatus, SessionType } from '../../contracts/session-types.js';
import { openDatabase, type OpenDatabase } from '../../db/database.js';
import { insertProject } from '../../db/projects-store.js';
import { insertSession, updateSession } from '../../db/sessions-store.js';
import type { Logger } from '../../runtime/logger.js';
import { ApiClient } from './api-client.js';

/**
 * The real API app in this process, for the fast route tests (`test/routes/`): a real database
 * (PGlite in memory, migrated like any other) and a Temporal client that never connects, reached
 * through `app.request` with the kit's one client. Every case here is answered before a route
 * reaches Temporal (or only touches it best-effort); cases that need a workflow belong to the
 * whole stack (`tevis-harness.ts`).
 */
export interface RouteApp {
  api: ApiClient;
  token: string;
  database: OpenDatabase;
  /** A scratch directory for workspaces the seeded sessions point at. */
  scratch: string;
  /** A project straight into the record (no git is read: the route never clones it). */
  seedProject(name: string, repository?: string): Promise<void>;
  /**
   * A session straight into the record with the status and workspace directory a test needs,
   * as the workflow would have left it; returns its id and workspace.
   */
  seedSession(input: {
    project: string;
    type?: SessionType;
    status?: SessionStatus;
    branch?: string;
  }): Promise<{ id: string; workspace: string }>;
  /**
   * Everything "nothing changed" means to a route test: the projects, sessions and timeline
   * events in the record, read from the database itself.
   */
  snapshot(): Promise<unknown>;
  close(): Promise<void>;
}

/** `logger`: the API's request log (api/request-log.ts), for the tests of that log; none by default. */
export async function startRouteApp(options: { logger?: Logger } = {}): Promise<RouteApp> {
  const token = randomBytes(24).toString('base64url');
  const [database, scratch] = await Promise.all([openDatabase({}), mkdtemp(join(tmpdir(), 'tevis-routes-'))]);
  const { app } = createApi({
    database,
    // Port 1 on loopback: nothing listens, so a case that did reach Temporal fails, never hangs.
    temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
    taskQueue: 'routes',
    token,
    version: 'routes',
    logError: () => {},
    logger: options.logger,
  });
  const api = new ApiClient('http://tevis.test', token, async (url, init) => app.request(url, init));
  return {
    api,
    token,
    database,
    scratch,
    async seedProject(name, repository = join(scratch, `${name}.git`)) {
      await insertProject(database.db, {
        name,
        repository,
        defaultBranch: 'main',
        settings: DEFAULT_PROJECT_SETTINGS,
      });
    },
    async seedSession({ project, type = 'development', status = 'active', branch = 'main' }) {
      const id = newSessionId(() => randomBytes(1)[0]!);
      const config = {
        type,
        branch,
        activeTimeoutSeconds: DEFAULT_PROJECT_SETTINGS.activeTimeoutSeconds,
        pausedTimeoutSeconds: DEFAULT_PROJECT_SETTINGS.pausedTimeoutSeconds,
      };
      await insertSession(database.db, { id, project, type, branch, config });
      const workspace = join(scratch, 'session-repos', id);
      await mkdir(workspace, { recursive: true });
      await updateSession(database.db, id, { status, workspacePath: workspace });
      return { id, workspace };
    },
    async snapshot() {
      const { db } = database;
      return Promise.all([
        db.query.projects.findMany({ orderBy: (p, { asc }) => asc(p.name) }),
        db.query.sessions.findMany({ orderBy: (s, { asc }) => asc(s.id) }),
        db.query.events.findMany({ orderBy: (e, { asc }) => [asc(e.sessionId), asc(e.seq)] }),
      ]);
    },
    async close() {
      await database.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
