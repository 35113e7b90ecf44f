import { defineConfig } from 'vitest/config';

const servicesSetup = ['test/global-setup.ts'];

export default defineConfig({
  test: {
    // Temporal's native bridge and workers do not survive worker threads well; forks isolate them.
    pool: 'forks',
    // Bundling workflows and starting workers takes tens of seconds on a 2-core machine.
    hookTimeout: 120_000,
    testTimeout: 120_000,
    // The global setup is per project, not at the root: `vitest run --project unit` must not
    // need Temporal or Postgres.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        // The API in process on PGlite, through `app.request`: no Temporal, no Postgres server.
        test: { name: 'routes', include: ['test/routes/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'workflows', include: ['test/workflows/**/*.test.ts'], globalSetup: servicesSetup },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: servicesSetup,
          // These share one Temporal and one Postgres and restart them on purpose; with 2 cores,
          // parallel files mostly produce timeouts. A later group, so it never overlaps the others.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: servicesSetup,
          // A browser beside the stack: one file at a time, after the integration tests.
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
