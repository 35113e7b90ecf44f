import type { Command } from 'commander';
import { SessionId } from '../../contracts/ids.js';
import { commandContext } from '../command-context.js';
import { readCurrentSession, rememberCurrentSession } from '../current-session.js';
import { validateValue } from '../request-validation.js';

export function registerSessionSwitch(session: Command): void {
  session
    .command('switch')
    .description('make ID the current session: resume it if paused, pause the one that was current')
    .argument('<id>', 'session id, e.g. sess_a1b2c3')
    .action(async (given: string, _flags: object, command: Command) => {
      const ctx = commandContext(command);
      const id = validateValue(SessionId, given, 'ID');
      const previous = await readCurrentSession(ctx.config.home);
      const result = await (await ctx.client()).switchSession(id, previous);
      await rememberCurrentSession(ctx.config.home, id);
      ctx.out.result(result, () => {
        const lines = [`switched to ${id} (${result.session.project}): ${result.resumed ? 'resumed' : `already ${result.session.status}`}`];
        if (result.paused) lines.push(`paused ${result.paused}`);
        else if (previous && previous !== id) lines.push(`${previous} was not active; left as it is`);
        return lines.join('\n');
      });
    });
}
