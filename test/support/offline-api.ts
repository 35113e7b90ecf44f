import { Client, Connection } from '@temporalio/client';
import { createApi } from '../../api/app.js';
import type { OpenDatabase } from '../../db/database.js';

type ApiDeps = Parameters<typeof createApi>[0];

/**
 * The real API app for unit tests of what it answers before a route reaches a service: built
 * with a database it never touches and a Temporal client that never connects (static pages,
 * 401s, cross-origin refusals, the OpenAPI document, /ui-config).
 */
export function offlineApi(token: string, extra: Partial<ApiDeps> = {}) {
  return createApi({
    database: {} as OpenDatabase,
    temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
    taskQueue: 'unit',
    token,
    version: 'unit',
    logError: () => {},
    ...extra,
  }).app;
}
