import type { Command } from 'commander';
import { preparePrivateHome } from '../../runtime/private-home.js';
import { WaitAborted } from '../../runtime/wait-for-dependency.js';
import { commandContext } from '../command-context.js';
import { dependencyWaitOptions, NOTHING_STARTED } from '../dependency-wait-options.js';
import { requireSharedServices, unsharedSecretNotes } from '../scale-out-environment.js';
import { serveUntilSignal } from '../serve-until-signal.js';
import { startupFailure } from '../startup-failure.js';
import { stderrNotes } from '../stderr-notes.js';
import { hostTaskQueue } from '../../contracts/worker-hosts.js';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a worker alone (scale-out); needs DATABASE_URL and TEMPORAL_ADDRESS')
    .action(async (_flags: object, command: Command) => {
      const ctx = commandContext(command);
      const { config } = ctx;
      const { temporalAddress } = requireSharedServices('worker', config);
      preparePrivateHome(config.home);
      const { createLogger } = await import('../../runtime/logger.js');
      const logger = createLogger(config.logLevel);
      const note = stderrNotes(ctx.json, logger);
      for (const text of unsharedSecretNotes('worker', config)) note(text);
      const progress = ctx.progress(
        `starting a worker on task queue "${config.taskQueue}" at ${temporalAddress}`,
        { handleSignals: false },
      );
      const starting = (signal: AbortSignal) =>
        (async () => {
          // Loaded on use: the worker's dependencies are heavy and no other command needs them.
          const { openConfiguredDatabase, startWorker } = await import('../../runtime/run-parts.js');
          const { dependencyWaits } = await import('../../runtime/dependency-waits.js');
          const waits = dependencyWaits(config, temporalAddress, dependencyWaitOptions(signal, note));
          const database = await waits.postgres(() => openConfiguredDatabase(config));
          try {
            if (config.tpuExecutor.kind === 'docker') await waits.engine();
            // The wait only probes: startWorker installs the SDK's runtime, which a process may do
            // once (runtime/worker-runtime.ts), so it is not tried again; its errors are its own.
            await waits.temporal(async () => {});
            const worker = await startWorker(config, temporalAddress, database, logger);
            return {
              async stop() {
                await worker.stop();
                await database.close();
              },
            };
          } catch (error) {
            await database.close().catch(() => {});
            throw error;
          }
        })().catch((error: unknown) => {
          if (error instanceof WaitAborted) return NOTHING_STARTED;
          progress.fail();
          throw startupFailure('tevis worker', error);
        });
      await serveUntilSignal(starting, {
        onStarted() {
          progress.succeed();
          const hostQueue = hostTaskQueue(config.taskQueue, config.workerHost);
          ctx.out.result(
            {
              taskQueue: config.taskQueue,
              host: config.workerHost,
              hostTaskQueue: hostQueue,
              temporalAddress,
              namespace: config.temporalNamespace,
            },
            () =>
              `worker polling task queue "${config.taskQueue}" and host ${config.workerHost}'s "${hostQueue}" at ${temporalAddress} (namespace ${config.temporalNamespace}); Ctrl-C stops it`,
          );
        },
        note,
      });
    });
}
