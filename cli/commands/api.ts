import type { Command } from 'commander';
import { preparePrivateHome } from '../../runtime/private-home.js';
import { WaitAborted } from '../../runtime/wait-for-dependency.js';
import { commandContext } from '../command-context.js';
import { dependencyWaitOptions, NOTHING_STARTED } from '../dependency-wait-options.js';
import { requireSharedServices, unsharedSecretNotes } from '../scale-out-environment.js';
import { serveUntilSignal } from '../serve-until-signal.js';
import { startupFailure } from '../startup-failure.js';
import { stderrNotes } from '../stderr-notes.js';

export function registerApiCommand(program: Command): void {
  program
    .command('api')
    .description('run the HTTP API alone (scale-out); needs DATABASE_URL and TEMPORAL_ADDRESS')
    .action(async (_flags: object, command: Command) => {
      const ctx = commandContext(command);
      const { config } = ctx;
      const { temporalAddress } = requireSharedServices('api', config);
      preparePrivateHome(config.home);
      const { createLogger } = await import('../../runtime/logger.js');
      const logger = createLogger(config.logLevel);
      const note = stderrNotes(ctx.json, logger);
      for (const text of unsharedSecretNotes('api', config)) note(text);
      const progress = ctx.progress(`starting the API on ${config.host}:${config.port}`, {
        handleSignals: false,
      });
      const starting = (signal: AbortSignal) =>
        (async () => {
          const stops: (() => Promise<void>)[] = [];
          const stopAll = async () => {
            for (const stop of stops.reverse()) await stop().catch(() => {});
          };
          try {
            // Loaded on use: the server's dependencies are heavy and no other command needs them.
            const { connectTemporalClient, openConfiguredDatabase, startApi } = await import(
              '../../runtime/run-parts.js'
            );
            const { dependencyWaits } = await import('../../runtime/dependency-waits.js');
            const waits = dependencyWaits(config, temporalAddress, dependencyWaitOptions(signal, note));
            const database = await waits.postgres(() => openConfiguredDatabase(config));
            stops.push(() => database.close());
            const client = await waits.temporal(() => connectTemporalClient(config, temporalAddress));
            stops.push(() => client.connection.close());
            const api = await startApi(config, client, database, logger);
            stops.push(() => api.stop());
            return { url: api.url, stop: stopAll };
          } catch (error) {
            await stopAll();
            throw error;
          }
        })().catch((error: unknown) => {
          if (error instanceof WaitAborted) return { url: '', ...NOTHING_STARTED };
          progress.fail();
          throw startupFailure('tevis api', error);
        });
      await serveUntilSignal(starting, {
        onStarted(api) {
          progress.succeed();
          ctx.out.result(
            { api: api.url, reference: `${api.url}/reference`, temporalAddress },
            () => `API at ${api.url} (reference: ${api.url}/reference); Ctrl-C stops it`,
          );
        },
        note,
      });
    });
}
