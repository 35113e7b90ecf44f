import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The one fresh-Postgres helper of the test kit: a database of its own on the shared test server
 * (the global setup's, or a file's own cluster), so no two suites see each other's rows. drop()
 * removes it with its connections.
 */
export async function freshPostgresDatabase(
  serverUrl: string,
  prefix = 'tevis',
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`.replace(/[^a-z0-9_]/g, '_');
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
