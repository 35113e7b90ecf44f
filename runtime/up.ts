import { join } from 'node:path';
import type { TevisConfig } from './config.js';
import { preparePrivateHome } from './private-home.js';
import { apiBaseUrl, connectTemporalClient, openConfiguredDatabase, SEARCH_ATTRIBUTES, startApi, startWorker } from './run-parts.js';
import { resolveTemporalCli } from './temporal-cli.js';
import { startTemporalDevServer } from './temporal-dev-server.js';

export interface UpHandle {
  apiUrl: string;
  /** Mission Control, logged in: the token rides in the fragment, which browsers never send. */
  missionControlUrl: string;
  referenceUrl: string;
  temporalAddress: string;
  temporalUiUrl: string | undefined;
  stop(): Promise<void>;
}

type Progress = (message: string) => void;

/**
 * Everything in one process on embedded defaults: a Temporal dev server persisted under
 * `$TEVIS_HOME` (unless TEMPORAL_ADDRESS names one), PGlite (unless DATABASE_URL), the worker
 * and the API. Stops in reverse order, so the next `tevis up` finds every session as it was.
 */
export async function up(config: TevisConfig, progress: Progress = () => {}): Promise<UpHandle> {
  preparePrivateHome(config.home);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
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
      });
      stops.push(() => server.stop());
      temporalAddress = server.address;
      temporalUiUrl = server.uiUrl;
    }
    progress(config.databaseUrl ? 'connecting to Postgres and migrating' : 'opening the embedded database (PGlite) and migrating');
    const database = await openConfiguredDatabase(config);
    stops.push(() => database.close());
    const client = await connectTemporalClient(config, temporalAddress);
    stops.push(() => client.connection.close());
    progress('starting the worker');
    const worker = await startWorker(config, temporalAddress, database);
    stops.push(() => worker.stop());
    progress('starting the API');
    const api = await startApi({ ...config, temporalUiUrl: config.temporalUiUrl ?? temporalUiUrl }, client, database);
    stops.push(() => api.stop());
    return { apiUrl: api.url, missionControlUrl: `${api.url}/#token=${encodeURIComponent(api.token)}`, referenceUrl: `${api.url}/reference`, temporalAddress, temporalUiUrl, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
