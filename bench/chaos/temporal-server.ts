import { join } from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../runtime/run-parts.js';
import { resolveTemporalCli } from '../../runtime/temporal-cli.js';
import { type RunningDevServer, startTemporalDevServer } from '../../runtime/temporal-dev-server.js';
import { freeLoopbackPort } from '../../test/support/free-port.js';

/** The chaos run's Temporal dev server: down() stops it, up() starts it on the same port and file. */
export interface RestartableTemporal {
  address: string;
  port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRestartableTemporal(root: string, dir: string): Promise<RestartableTemporal> {
  const cli = await resolveTemporalCli({ home: join(root, '.cache', 'tevis-test') });
  const options = {
    cliPath: cli.path,
    port: await freeLoopbackPort(),
    headless: true,
    searchAttributes: SEARCH_ATTRIBUTES,
    // On a file, so the workflows outlive the restart as they would a real cluster's.
    dbFile: join(dir, 'temporal.sqlite'),
    logFile: join(dir, 'temporal.log'),
  };
  let server: RunningDevServer | undefined = await startTemporalDevServer(options);
  return {
    address: server.address,
    port: options.port,
    async down() {
      await server?.stop();
      server = undefined;
    },
    async up() {
      server = await startTemporalDevServer(options);
    },
    async stop() {
      await server?.stop();
      server = undefined;
    },
  };
}
