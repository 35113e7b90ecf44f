import { join } from 'node:path';
import type { OpenDatabase } from '../db/database.js';
import type { TevisConfig } from './config.js';
import type { Logger } from './logger.js';
import { devServerPidFile, stopLeftoverDevServer } from './dev-server-record.js';
import { describeHolder, findPortHolder, isPortFree } from './port-holder.js';
import { preparePrivateHome } from './private-home.js';
import {
  apiBaseUrl,
  connectTemporalClient,
  openConfiguredDatabase,
  SEARCH_ATTRIBUTES,
  startApi,
  startWorker,
} from './run-parts.js';
import { resolveTemporalCli } from './temporal-cli.js';
import { startTemporalDevServer } from './temporal-dev-server.js';
import { lockHome } from './up-lock.js';

export interface UpHandle {
  apiUrl: string;
  /** Mission Control, logged in: the token rides in the fragment, which browsers never send. */
  missionControlUrl: string;
  referenceUrl: string;
  temporalAddress: string;
  temporalUiUrl: string | undefined;
  /** The database the stack uses (the benchmarks read it beside the API, as their baseline). */
  database: OpenDatabase;
  stop(): Promise<void>;
}

type Progress = (message: string) => void;

/**
 * Everything in one process on embedded defaults: a Temporal dev server persisted under
 * `$TEVIS_HOME` (unless TEMPORAL_ADDRESS names one), PGlite (unless DATABASE_URL), the worker
 * and the API. Stops in reverse order, so the next `tevis up` finds every session as it was.
 *
 * It owns the home while it runs (up-lock.ts: a second `tevis up` is refused) and everything it
 * starts: a dev server a killed run left behind is stopped first (dev-server-record.ts), and
 * stop() leaves no process and no pid file. `note` says aloud what it found and did about it.
 */
export async function up(
  config: TevisConfig,
  progress: Progress = () => {},
  note: Progress = () => {},
  /** The JSON-lines log of the worker and the API (runtime/logger.ts); none from the bench. */
  logger?: Logger,
): Promise<UpHandle> {
  preparePrivateHome(config.home);
  const lock = lockHome(config.home, apiBaseUrl(config), note);
  const stops: (() => Promise<void>)[] = [async () => lock.release()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    // Before anything starts: a port someone else holds is the user's to free, named now.
    if (!(await isPortFree(config.port, config.host))) {
      throw new Error(
        `API port ${config.host}:${config.port} is already in use by ${describeHolder(findPortHolder(config.port))}. Stop that process, or set TEVIS_PORT to a free port`,
      );
    }
    await stopLeftoverDevServer(devServerPidFile(config.home), note);
    let temporalAddress = config.temporalAddress;
    let temporalUiUrl: string | undefined;
    if (!temporalAddress) {
      progress('finding the Temporal CLI');
      const cli = await resolveTemporalCli({ home: config.home, onProgress: progress });
      progress(`starting the Temporal dev server (${cli.source})`);
      const server = await startTemporalDevServer({
        cliPath: cli.path,
        dbFile: join(config.home, 'temporal.sqlite'),
        port: config.temporalPort,
        uiPort: config.temporalUiPort,
        namespace: config.temporalNamespace,
        searchAttributes: SEARCH_ATTRIBUTES,
        // Payloads are sealed; the UI shows them decoded through the API (see api/routes/temporal-codec.ts).
        uiCodecEndpoint: `${apiBaseUrl(config)}/codec`,
        logFile: join(config.home, 'temporal.log'),
        pidFile: devServerPidFile(config.home),
      });
      stops.push(() => server.stop());
      temporalAddress = server.address;
      temporalUiUrl = server.uiUrl;
    }
    progress(
      config.databaseUrl
        ? 'connecting to Postgres and migrating'
        : 'opening the embedded database (PGlite) and migrating',
    );
    const database = await openConfiguredDatabase(config);
    stops.push(() => database.close());
    const client = await connectTemporalClient(config, temporalAddress);
    stops.push(() => client.connection.close());
    progress('starting the worker');
    const worker = await startWorker(config, temporalAddress, database, logger);
    stops.push(() => worker.stop());
    progress('starting the API');
    const api = await startApi(
      { ...config, temporalUiUrl: config.temporalUiUrl ?? temporalUiUrl },
      client,
      database,
      logger,
    );
    stops.push(() => api.stop());
    return {
      apiUrl: api.url,
      missionControlUrl: `${api.url}/#token=${encodeURIComponent(api.token)}`,
      referenceUrl: `${api.url}/reference`,
      temporalAddress,
      temporalUiUrl,
      database,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
