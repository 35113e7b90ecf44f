import type { Client } from '@temporalio/client';
import { Health, ServiceStatus } from '../../contracts/responses.js';
import type { OpenDatabase } from '../../db/database.js';
import {
  checkContainerEngine,
  checkDatabase,
  checkTemporal,
  checkWorkers,
} from '../../runtime/service-checks.js';
import { workerHostsStatus } from '../../runtime/worker-hosts-status.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { jsonResponse } from '../schemas.js';

export function healthRoutes(database: OpenDatabase, temporal: Client, taskQueue: string, version: string) {
  const app = openApiRouter();

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/health',
        tags: ['status'],
        summary: 'Liveness of the API (no token needed)',
        security: [],
        responses: { 200: jsonResponse(Health, 'Alive') },
      },
      { answersWithoutServices: true },
    ),
    (c) => c.json({ status: 'ok' as const, version }, 200),
  );

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/status',
        tags: ['status'],
        summary: 'Health of the API, worker, Temporal, database and container engine',
        responses: { 200: jsonResponse(ServiceStatus, 'Service status') },
      },
      { answersWithoutServices: true },
    ),
    async (c) => {
      const [db, temporalCheck, worker, containerEngine, hosts] = await Promise.all([
        checkDatabase(database.db, database.kind),
        checkTemporal(temporal),
        checkWorkers(temporal, taskQueue),
        checkContainerEngine(),
        // The database down is said by its check above; the hosts then stay unknown.
        workerHostsStatus(database.db, temporal, taskQueue).catch(() => []),
      ]);
      const services = {
        api: { status: 'ok' as const, detail: `tevis ${version}`, latencyMs: 0 },
        database: db,
        temporal: temporalCheck,
        worker,
        containerEngine,
      };
      // The TPU executor (as this process's configuration names it) only matters to nanocycles:
      // sessions, reviews and planning work without one, so it never makes the rest degraded.
      const degraded = [db, temporalCheck, worker].some((s) => s.status !== 'ok');
      return c.json({ status: degraded ? ('degraded' as const) : ('ok' as const), services, hosts }, 200);
    },
  );

  return app;
}
