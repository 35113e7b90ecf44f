import type { Command } from 'commander';
import { z } from 'zod';
import { ProjectName } from '../../contracts/ids.js';
import { commandContext } from '../command-context.js';
import { readCurrentSession } from '../current-session.js';
import { parseInteger } from '../option-parsers.js';
import { renderSessionTable } from '../render/session-table.js';
import { validateValue } from '../request-validation.js';

const ListLimit = z.number().int().min(1);

export function registerSessionList(session: Command): void {
  session
    .command('list')
    .description('list open sessions, active and paused (all with --all); * marks the current one')
    .option('--project <name>', 'only this project')
    .option('--all', 'include ended and failed sessions')
    .option(
      '--limit <n>',
      'only the newest n, and say whether there are more (default: every one)',
      parseInteger,
    )
    .action(async (flags: { project?: string; all?: boolean; limit?: number }, command: Command) => {
      const ctx = commandContext(command);
      const project =
        flags.project === undefined ? undefined : validateValue(ProjectName, flags.project, '--project');
      const max =
        flags.limit === undefined
          ? Number.POSITIVE_INFINITY
          : validateValue(ListLimit, flags.limit, '--limit');
      const [{ sessions, more }, current] = await Promise.all([
        ctx.client().then((client) => client.listSessionsUpTo({ project, all: flags.all }, max)),
        readCurrentSession(ctx.config.home),
      ]);
      ctx.out.result({ current: current ?? null, sessions, more }, () => {
        const table = renderSessionTable(sessions, current);
        return more
          ? `${table}\nmore sessions than these ${sessions.length}; raise --limit or drop it to see every one`
          : table;
      });
    });
}
