import { Connection } from '@temporalio/client';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { SEARCH_ATTRIBUTE_NAMES } from '../../contracts/search-attributes.js';
import { ensureSearchAttributes } from '../../runtime/search-attributes.js';

describe('services from the global setup', () => {
  it('Temporal answers and has the default namespace with the Tevis search attributes', async () => {
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const { namespaces } = await connection.workflowService.listNamespaces({});
      expect(namespaces.map((n) => n.namespaceInfo?.name)).toContain('default');

      // Registered at start-up; registering again must be a no-op, as on a shared cluster.
      const attrs = Object.fromEntries(
        Object.values(SEARCH_ATTRIBUTE_NAMES).map((n) => [n, 'Keyword' as const]),
      );
      await ensureSearchAttributes(connection, 'default', attrs);
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace: 'default',
      });
      for (const name of Object.values(SEARCH_ATTRIBUTE_NAMES)) expect(customAttributes).toHaveProperty(name);

      await expect(ensureSearchAttributes(connection, 'default', { TevisProject: 'Int' })).rejects.toThrow(
        /exists .* as Keyword/,
      );
    } finally {
      await connection.close();
    }
  });

  it('Postgres runs queries on the tevis database', async () => {
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      const { rows } = await client.query<{ one: number; db: string }>(
        'select 1 as one, current_database() as db',
      );
      expect(rows).toEqual([{ one: 1, db: 'tevis' }]);
    } finally {
      await client.end();
    }
  });

  it('provides the Temporal binaries', () => {
    expect(inject('temporalCliPath')).toMatch(/temporal$/);
    expect(inject('temporalTestServerPath')).toMatch(/temporal-test-server$/);
  });
});
