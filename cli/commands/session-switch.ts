import type { Command } from 'commander';
import { SessionId } from '../../contracts/ids.js';
import { commandContext } from '../command-context.js';
import { rememberCurrentSession } from '../current-session.js';
import { validateValue } from '../request-validation.js';

export function registerSessionSwitch(session: Command): void {
  session
    .command('switch')
    .description(
      "make ID its project's active and the current session in one step: pause the project's active one, resume ID",
    )
    .argument('<id>', 'session id, e.g. sess_a1b2c3')
    .action(async (given: string, _flags: object, command: Command) => {
      const ctx = commandContext(command);
      const id = validateValue(SessionId, given, 'ID');
      const result = await (await ctx.client()).switchSession(id);
      await rememberCurrentSession(ctx.config.home, id);
      ctx.out.result(
        result,
        () => `${result.message} (project ${result.session.project}; ${id} is now current)`,
      );
    });
}
