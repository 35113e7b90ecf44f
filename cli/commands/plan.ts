import type { Command } from 'commander';
import { z } from 'zod';
import { PlanDraft } from '../../contracts/session.js';
import { formatTimestamp, renderTable } from '../output.js';
import { planningCommand } from '../planning-command.js';
import { validateRequest, validateValue } from '../request-validation.js';
import { readTextSource } from '../text-source.js';

const SESSION_HELP = 'planning session id (default: the current session)';

export function registerPlanCommands(program: Command): void {
  const plan = program
    .command('plan')
    .description("a planning session's plan: drafted as numbered versions, read back any time");

  plan
    .command('draft')
    .description('draft a new version of the plan (Markdown) from --file F, from stdin (-), or in $EDITOR')
    .argument('[source]', '"-" to read the plan from stdin')
    .option('--file <path>', 'read the plan from this file')
    .option('--session <id>', SESSION_HELP)
    .action(
      async (source: string | undefined, flags: { file?: string; session?: string }, command: Command) => {
        if (source !== undefined && source !== '-') flags.file ??= source;
        const p = await planningCommand(command, flags);
        const text = await readTextSource({
          file: flags.file,
          dash: source === '-',
          name: 'plan.md',
          what: 'plan',
          current: () =>
            p.planning.plan(p.sessionId).then(
              (v) => v.plan,
              () => null,
            ),
        });
        const body = validateRequest(PlanDraft, { plan: text }, { plan: 'the plan' });
        const drafted = await p.run('draft plans', (c) => c.draftPlan(p.sessionId, body.plan));
        p.ctx.out.result(drafted, () =>
          drafted.created
            ? `Plan version ${drafted.version} drafted (${drafted.length} characters)`
            : `Plan unchanged: version ${drafted.version} holds this text already`,
        );
      },
    );

  plan
    .command('show')
    .description('print the latest plan, or version N')
    // A positional, not --version: that flag is the program's own (`tevis --version`), wherever it is written.
    .argument('[version]', 'a version number (`tevis plan versions` lists them)')
    .option('--session <id>', SESSION_HELP)
    .action(async (given: string | undefined, flags: { session?: string }, command: Command) => {
      const version =
        given === undefined
          ? undefined
          : validateValue(z.coerce.number().int().min(1).max(2_147_483_647), given, 'VERSION');
      const p = await planningCommand(command, flags);
      const shown = await p.run('read plans', (c) => c.plan(p.sessionId, version));
      p.ctx.out.result(shown, () => shown.plan);
    });

  plan
    .command('versions')
    .description("list the plan's versions, newest first")
    .option('--session <id>', SESSION_HELP)
    .action(async (flags: { session?: string }, command: Command) => {
      const p = await planningCommand(command, flags);
      const versions = await p.run('read plans', (c) => c.planVersions(p.sessionId));
      p.ctx.out.result({ sessionId: p.sessionId, versions }, () =>
        versions.length === 0
          ? `No plan yet; draft one with \`tevis plan draft --file plan.md\``
          : renderTable(
              ['VERSION', 'LENGTH', 'CREATED'],
              versions.map((v) => [String(v.version), String(v.length), formatTimestamp(v.createdAt)]),
            ),
      );
    });
}
