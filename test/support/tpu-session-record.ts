import { inject } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../db/database.js';
import { projects, sessions } from '../../db/schema.js';
import { freshPostgresDatabase } from './fresh-postgres.js';

export interface TpuSessionRecord {
  database: OpenDatabase;
  /** Closes the connection and drops the database. */
  close(): Promise<void>;
}

/**
 * A fresh Postgres database holding one project and one active development session, for tests
 * that call the TPU executors directly: their output and nanocycle rows belong to a session.
 */
export async function openTpuSessionRecord(input: {
  project: string;
  sessionId: string;
  repository: string;
}): Promise<TpuSessionRecord> {
  const fresh = await freshPostgresDatabase(inject('databaseUrl'));
  const database = await openDatabase({ url: fresh.url });
  await database.db.insert(projects).values({
    name: input.project,
    repository: input.repository,
    defaultBranch: 'main',
    settings: {} as never,
  });
  await database.db.insert(sessions).values({
    id: input.sessionId,
    project: input.project,
    type: 'development',
    branch: 'main',
    status: 'active',
    config: {} as never,
  });
  return {
    database,
    async close() {
      await database.close();
      await fresh.drop();
    },
  };
}
