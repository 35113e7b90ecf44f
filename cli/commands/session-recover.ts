import type { Command } from 'commander';
import { SessionId } from '../../contracts/ids.js';
import { commandContext } from '../command-context.js';
import { validateValue } from '../request-validation.js';

export function registerSessionRecover(session: Command): void {
  session
    .command('recover')
    .description(
      'bring back a session whose workflow failed, was terminated or was lost; re-clone its workspace if it is gone',
    )
    .argument('<id>', 'session id, e.g. sess_a1b2c3')
    .action(async (given: string, _flags: object, command: Command) => {
      const ctx = commandContext(command);
      const id = validateValue(SessionId, given, 'ID');
      const progress = ctx.progress(`${id}: recovering…`);
      const result = await (await ctx.client()).recoverSession(id).finally(() => progress.stop());
      ctx.out.result(
        result,
        () =>
          `${result.message}\nstatus: ${result.session.status}; \`tevis session timeline ${id}\` shows what happened`,
      );
    });
}
