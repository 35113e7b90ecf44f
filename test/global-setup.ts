import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { SEARCH_ATTRIBUTE_NAMES } from '../contracts/search-attributes.js';
import { resolveTemporalCli, resolveTemporalTestServer } from '../runtime/temporal-cli.js';
import type { SearchAttributeTypeName } from '../runtime/search-attributes.js';
import { startTemporalDevServer } from '../runtime/temporal-dev-server.js';
import { freeLoopbackPort } from './support/free-port.js';
import { installPostgresIfMissing } from './support/install-postgres.js';
import { startPostgresCluster } from './support/postgres-cluster.js';

/**
 * Starts the real services the `workflows` and `integration` projects test against: one
 * Temporal dev server and one Postgres cluster per `vitest` run, shared by every test file.
 * Tests read them with `inject('temporalAddress')` etc.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    temporalCliPath: string;
    /** For TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } }). */
    temporalTestServerPath: string;
  }
}

interface Services {
  temporalAddress: string;
  databaseUrl: string;
  temporalCliPath: string;
  temporalTestServerPath: string;
  stop(): Promise<void>;
}

interface Shared {
  users: number;
  services: Promise<Services>;
}

// Both projects list this file, and vitest runs each project's global setup with its own module
// instance; the services live on globalThis (one vitest process) so they start once and stop
// when the last project tears down.
const SHARED = Symbol.for('tevis.test.global-services');
const registry = globalThis as { [SHARED]?: Shared };

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const home = join(repoRoot, '.cache', 'tevis-test');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  registry[SHARED] ??= { users: 0, services: startServices() };
  const shared = registry[SHARED];
  shared.users += 1;
  const release = async (services?: Services) => {
    shared.users -= 1;
    if (shared.users > 0) return;
    delete registry[SHARED];
    await services?.stop();
  };

  let services: Services;
  try {
    services = await shared.services;
  } catch (err) {
    await release();
    throw err;
  }
  project.provide('temporalAddress', services.temporalAddress);
  project.provide('databaseUrl', services.databaseUrl);
  project.provide('temporalCliPath', services.temporalCliPath);
  project.provide('temporalTestServerPath', services.temporalTestServerPath);
  return () => release(services);
}

async function startServices(): Promise<Services> {
  const progress = (msg: string) => console.log(`[tevis test] ${msg}`);
  const searchAttributes: Record<string, SearchAttributeTypeName> = Object.fromEntries(
    Object.values(SEARCH_ATTRIBUTE_NAMES).map((name) => [name, 'Keyword' as const]),
  );

  // Independent, and each spends most of its time waiting on a child process: run them together.
  const [temporal, postgres, testServer] = await Promise.allSettled([
    timed('Temporal dev server', async () => {
      const cli = await resolveTemporalCli({ home, onProgress: progress });
      const port = await freeLoopbackPort();
      const server = await startTemporalDevServer({
        cliPath: cli.path,
        port,
        headless: true,
        searchAttributes,
        logFile: join(home, 'logs', `temporal-dev-server-${port}.log`),
      });
      return { cli, server, detail: `${server.address} (CLI from ${cli.source}: ${cli.path})` };
    }),
    timed('Postgres', async () => {
      await installPostgresIfMissing(progress);
      const cluster = await startPostgresCluster({});
      return { cluster, detail: cluster.url };
    }),
    timed('Temporal test server binary', async () => {
      const resolved = await resolveTemporalTestServer({ home, onProgress: progress });
      return { resolved, detail: `${resolved.path} (from ${resolved.source})` };
    }),
  ]);

  const stop = async () => {
    await Promise.all([
      temporal.status === 'fulfilled' ? temporal.value.server.stop() : undefined,
      postgres.status === 'fulfilled' ? postgres.value.cluster.stop() : undefined,
    ]);
  };
  if (temporal.status === 'rejected' || postgres.status === 'rejected' || testServer.status === 'rejected') {
    await stop();
    const reasons = [temporal, postgres, testServer]
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => (r.reason as Error).message);
    throw new Error(`test services did not start:\n${reasons.join('\n\n')}`);
  }

  return {
    temporalAddress: temporal.value.server.address,
    databaseUrl: postgres.value.cluster.url,
    temporalCliPath: temporal.value.cli.path,
    temporalTestServerPath: testServer.value.resolved.path,
    stop,
  };
}

async function timed<T extends { detail: string }>(what: string, start: () => Promise<T>): Promise<T> {
  const began = performance.now();
  const result = await start();
  console.log(
    `[tevis test] ${what} ready in ${((performance.now() - began) / 1000).toFixed(1)} s: ${result.detail}`,
  );
  return result;
}
