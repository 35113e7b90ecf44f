import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type OpenDatabase, openDatabase } from '../../db/database.js';
import { freshPostgresDatabase } from '../support/fresh-postgres.js';

/**
 * A Postgres connection cut while it is checked out of the pool (a transaction in flight when the
 * server restarts, an administrator's pg_terminate_backend) makes pg emit `error` on a client the
 * pool no longer listens to. Unheard, that error is an uncaught exception: it took the API and the
 * worker down with it. The cut must cost the one transaction, nothing else.
 */

/** What the node-postgres driver answers for `execute`; the shared Database type leaves it open. */
type QueryRows<T> = { rows: T[] };

let fresh: Awaited<ReturnType<typeof freshPostgresDatabase>>;
let database: OpenDatabase;
const uncaught: unknown[] = [];
const recordUncaught = (err: unknown) => uncaught.push(err);

beforeAll(async () => {
  fresh = await freshPostgresDatabase(inject('databaseUrl'), 'tevis_cut');
  database = await openDatabase({ url: fresh.url });
  process.on('uncaughtException', recordUncaught);
});

afterAll(async () => {
  process.off('uncaughtException', recordUncaught);
  await database?.close();
  await fresh?.drop();
});

async function terminateBackend(pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: fresh.url });
  await admin.connect();
  try {
    await admin.query('select pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
}

describe('a database connection cut mid-transaction', () => {
  it('fails that transaction only: no uncaught error, and the next query answers', async () => {
    let backendPid = 0;
    const started = new Promise<void>((resolve, reject) => {
      const transaction = database.db.transaction(async (tx) => {
        const result = (await tx.execute(sql`select pg_backend_pid() as pid`)) as QueryRows<{ pid: number }>;
        backendPid = Number(result.rows[0]?.pid);
        resolve();
        await tx.execute(sql`select pg_sleep(30)`);
      });
      transaction.then(
        () => reject(new Error('the transaction outlived its connection')),
        (err: unknown) => {
          transactionError = err;
        },
      );
    });
    let transactionError: unknown;
    await started;
    expect(backendPid).toBeGreaterThan(0);
    await terminateBackend(backendPid);
    await expect.poll(() => transactionError, { timeout: 10_000 }).toBeDefined();
    // pg emits the connection's `error` on the next tick after the query fails; give it time.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(uncaught).toEqual([]);
    const answer = (await database.db.execute(sql`select 1 as one`)) as QueryRows<{ one: number }>;
    expect(answer.rows[0]?.one).toBe(1);
  });
});
