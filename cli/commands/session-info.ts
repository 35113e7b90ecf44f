import type { Command } from 'commander';
import { commandContext } from '../command-context.js';
import { readCurrentSession } from '../current-session.js';
import { renderSessionInfo } from '../render/session-info.js';
import { resolveSessionId } from '../session-argument.js';

export function registerSessionInfo(session: Command): void {
  session
    .command('info')
    .description(
      'project, repository, branch, duration, workspace, nanocycles, TPUs and hold points of a session',
    )
    .argument('[id]', 'session id (default: the current session)')
    .action(async (given: string | undefined, _flags: object, command: Command) => {
      const ctx = commandContext(command);
      const id = await resolveSessionId(ctx.config.home, given);
      const [view, current] = await Promise.all([
        ctx.client().then((client) => client.getSession(id)),
        readCurrentSession(ctx.config.home),
      ]);
      ctx.out.result(view, () => renderSessionInfo(view, { now: new Date(), isCurrent: current === id }));
    });
}
