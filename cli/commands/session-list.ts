import type { Command } from 'commander';
import { ProjectName } from '../../contracts/ids.js';
import { commandContext } from '../command-context.js';
import { readCurrentSession } from '../current-session.js';
import { renderSessionTable } from '../render/session-table.js';
import { validateValue } from '../request-validation.js';

export function registerSessionList(session: Command): void {
  session
    .command('list')
    .description('list open sessions, active and paused (all with --all); * marks the current one')
    .option('--project <name>', 'only this project')
    .option('--all', 'include ended and failed sessions')
    .action(async (flags: { project?: string; all?: boolean }, command: Command) => {
      const ctx = commandContext(command);
      const project =
        flags.project === undefined ? undefined : validateValue(ProjectName, flags.project, '--project');
      const [sessions, current] = await Promise.all([
        ctx.client().then((client) => client.listSessions({ project, all: flags.all })),
        readCurrentSession(ctx.config.home),
      ]);
      ctx.out.result({ current: current ?? null, sessions }, () => renderSessionTable(sessions, current));
    });
}
