import type { Command } from 'commander';
import { tokenFile } from '../../runtime/api-token.js';
import type { UpHandle } from '../../runtime/up.js';
import { UpAlreadyRunning } from '../../runtime/up-lock.js';
import { commandContext } from '../command-context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { renderFields } from '../output.js';
import type { Progress } from '../progress.js';
import { serveUntilSignal } from '../serve-until-signal.js';
import { startupFailure } from '../startup-failure.js';

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description(
      'run everything in one process: Temporal dev server (unless TEMPORAL_ADDRESS), PGlite (unless DATABASE_URL), worker and API',
    )
    .action(async (_flags: object, command: Command) => {
      const ctx = commandContext(command);
      const { config } = ctx;
      // One spinner per step: the finished ones stay on screen as a checklist.
      let step: Progress | null = null;
      let stepMessage = '';
      const onProgress = (message: string) => {
        step?.succeed();
        stepMessage = message;
        step = ctx.progress(message, { handleSignals: false });
      };
      // What `up` found and did about it (a stale lock, a leftover dev server): said on stderr,
      // never silently, between the spinner's lines.
      const onNote = (text: string) => {
        step?.stop();
        process.stderr.write(`tevis: ${text}\n`);
        if (step) step = ctx.progress(stepMessage, { handleSignals: false });
      };
      // Loaded here, not at the top: Temporal's worker and the API are heavy, and every other
      // command would pay for them at start-up.
      const { up } = await import('../../runtime/up.js');
      const { createLogger } = await import('../../runtime/logger.js');
      const starting = up(config, onProgress, onNote, createLogger(config.logLevel)).catch(
        (error: unknown) => {
          step?.fail();
          if (error instanceof UpAlreadyRunning)
            throw new CliError('up-already-running', EXIT.conflict, error.message);
          throw startupFailure('tevis up', error);
        },
      );
      const token = config.apiToken ? 'from TEVIS_API_TOKEN' : `stored in ${tokenFile(config.home)}`;
      // The logged-in link is a credential: a person at a terminal gets it; a pipe, a log file or
      // a process supervisor gets the plain address, and the page asks for the token once.
      const linkWithToken = Boolean(process.stdout.isTTY);
      await serveUntilSignal<UpHandle>(starting, {
        onStarted(handle) {
          step?.succeed();
          const missionControl = linkWithToken ? handle.missionControlUrl : `${handle.apiUrl}/`;
          const urls = {
            missionControl,
            api: handle.apiUrl,
            reference: handle.referenceUrl,
            temporalUi: handle.temporalUiUrl ?? null,
            temporalAddress: handle.temporalAddress,
            tokenFile: config.apiToken ? null : tokenFile(config.home),
            home: config.home,
          };
          ctx.out.result(urls, () => {
            const fields: [string, string][] = [
              [
                'Mission Control',
                linkWithToken
                  ? missionControl
                  : `${missionControl} (asks for the API token; the logged-in link is printed only to a terminal)`,
              ],
              ['API', handle.apiUrl],
              [
                'API reference',
                `${handle.referenceUrl} (in a browser: add #token=<the API token>, or log in to Mission Control first)`,
              ],
            ];
            if (handle.temporalUiUrl) fields.push(['Temporal UI', handle.temporalUiUrl]);
            fields.push(['Temporal', handle.temporalAddress], ['API token', token], ['State', config.home]);
            return `Tevis is up.\n${renderFields(fields, '  ')}\nCtrl-C stops it; sessions carry on where they were at the next \`tevis up\`.`;
          });
        },
        note: (text) => process.stderr.write(`tevis: ${text}\n`),
      });
    });
}
