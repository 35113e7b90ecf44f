import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.js';
import { EVENTS_CHANNEL, listenForEvents } from './event-notifications.js';

export type Schema = typeof schema;
/** Both drivers give the same drizzle surface; the rest of the code never knows which it has. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

/** Answers once the database does: the health check's probe, the cheapest query there is. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.execute(sql`select 1`);
}

export interface OpenDatabase {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** Calls `listener(sessionId)` whenever a timeline event is written, from any process. */
  onEvent(listener: (sessionId: string) => void): () => void;
  close(): Promise<void>;
}

const MIGRATIONS_FOLDER = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const DB_CONNECT_TIMEOUT_MS = 3000;
/** Any fixed number: the advisory lock that keeps two processes from migrating at once. */
const MIGRATION_LOCK = 72_010_301;

export interface DatabaseOptions {
  /** Postgres URL; when absent the embedded PGlite in `pgliteDir` is used. */
  url?: string;
  pgliteDir?: string;
}

export async function openDatabase(options: DatabaseOptions): Promise<OpenDatabase> {
  return options.url ? openPostgres(options.url) : openPglite(options.pgliteDir);
}

async function openPostgres(url: string): Promise<OpenDatabase> {
  const { default: pg } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  // A connection attempt that hangs (a server coming up, a lost host) gives up after 3 s, so a
  // request answers 503 `database-unavailable` in seconds instead of waiting on the socket.
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: DB_CONNECT_TIMEOUT_MS,
  });
  // A Postgres restart drops idle clients; without a handler the pool's error would crash us.
  pool.on('error', () => {});
  // A client checked out of the pool (a transaction in flight) has no pool listener: when its
  // connection is cut, pg emits `error` on it after failing its query, and an unheard `error` is
  // an uncaught exception. The query's own rejection already tells the caller; the pool drops
  // the client on release because it is no longer queryable.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzle(pool, { schema });
  const lockClient = await pool.connect();
  try {
    await lockClient.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await lockClient.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    lockClient.release();
  }
  const listener = listenForEvents(url);
  return {
    db: db as unknown as Database,
    kind: 'postgres',
    onEvent: listener.add,
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}

async function openPglite(dir: string | undefined): Promise<OpenDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  if (dir) mkdirSync(dir, { recursive: true });
  const client = dir ? new PGlite(dir) : new PGlite();
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  const listeners = new Set<(sessionId: string) => void>();
  // PGlite is one process's database, so its own LISTEN is the whole bus.
  const unlisten = await client.listen(EVENTS_CHANNEL, (payload) => {
    for (const listener of listeners) listener(payload);
  });
  return {
    db: db as unknown as Database,
    kind: 'pglite',
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await unlisten();
      await client.close();
    },
  };
}
