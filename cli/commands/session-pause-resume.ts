import type { Command } from 'commander';
import { commandContext } from '../command-context.js';
import { rememberCurrentSession } from '../current-session.js';
import { resolveSessionId } from '../session-argument.js';

/**
 * `session pause` and `session resume`: the two halves of a switch, for when one wants only
 * one of them (the conflict of a second active session names `pause` as a way out).
 */
export function registerSessionPauseResume(session: Command): void {
  session
    .command('pause')
    .description('pause an active session; its project can then make another one active')
    .argument('[id]', 'session id (default: the current session)')
    .action(async (given: string | undefined, _flags: object, command: Command) => {
      const ctx = commandContext(command);
      const id = await resolveSessionId(ctx.config.home, given);
      const paused = await (await ctx.client()).pauseSession(id);
      ctx.out.result(
        paused,
        () =>
          `${id} ${paused.status}; \`tevis session resume ${id}\` or \`tevis session switch ${id}\` takes it up again`,
      );
    });

  session
    .command('resume')
    .description(
      'resume a paused session and make it the current one (refused while another session of its project is active: see switch)',
    )
    .argument('[id]', 'session id (default: the current session)')
    .action(async (given: string | undefined, _flags: object, command: Command) => {
      const ctx = commandContext(command);
      const id = await resolveSessionId(ctx.config.home, given);
      const resumed = await (await ctx.client()).resumeSession(id);
      await rememberCurrentSession(ctx.config.home, id);
      ctx.out.result(resumed, () => `${id} ${resumed.status} (current)`);
    });
}
