import type { Command } from 'commander';
import { ProjectName } from '../../contracts/ids.js';
import { ProjectCreate, ProjectUpdate } from '../../contracts/project.js';
import { commandContext } from '../command-context.js';
import {
  addExecutionOptions,
  EXECUTION_FLAG_NAMES,
  executionInput,
  type ExecutionFlags,
} from '../execution-flags.js';
import { collectKey, collectPreference, preferenceChanges } from '../option-parsers.js';
import { renderProject, renderProjectTable } from '../render/project.js';
import { validateRequest, validateValue } from '../request-validation.js';

/** Body fields as the flags that set them, so a validation message names what to change. */
const PROJECT_FLAGS = {
  name: 'NAME',
  repository: '--repo',
  defaultBranch: '--branch',
  activeTimeout: '--active-timeout',
  pausedTimeout: '--paused-timeout',
  preferences: '--pref',
  ...EXECUTION_FLAG_NAMES,
};

interface ProjectFlags extends ExecutionFlags {
  repo?: string;
  branch?: string;
  activeTimeout?: string;
  pausedTimeout?: string;
  pref?: Record<string, string>;
  unsetPref?: string[];
}

export function registerProjectCommands(program: Command): void {
  const project = program
    .command('project')
    .description('manage projects: a repository, its default branch and settings');

  const create = project
    .command('create')
    .description('create a project; the execution flags set how its nanocycles run on TPUs')
    .argument('<name>', 'lowercase letters, digits and "-"')
    .requiredOption('--repo <url>', 'git repository: absolute path, https/ssh/git/file URL or user@host:path')
    .option('--branch <branch>', 'default branch of new sessions', 'main')
    .option('--active-timeout <duration>', 'end an active session after this much inactivity, e.g. 2h')
    .option('--paused-timeout <duration>', 'end a paused session after this long, e.g. 7d')
    .option('--pref <key=value>', 'a preference loaded into every session (repeatable)', collectPreference);
  addExecutionOptions(create, { update: false }).action(
    async (name: string, flags: ProjectFlags, command: Command) => {
      const ctx = commandContext(command);
      const body = validateRequest(
        ProjectCreate,
        {
          name,
          repository: flags.repo,
          defaultBranch: flags.branch,
          activeTimeout: flags.activeTimeout,
          pausedTimeout: flags.pausedTimeout,
          preferences: flags.pref,
          execution: executionInput(flags),
        },
        PROJECT_FLAGS,
      );
      const created = await (await ctx.client()).createProject(body);
      ctx.out.result(created, () => `created project ${created.name}\n${renderProject(created)}`);
    },
  );

  project
    .command('list')
    .description('list projects')
    .action(async (_flags: object, command: Command) => {
      const ctx = commandContext(command);
      const projects = await (await ctx.client()).listProjects();
      ctx.out.result({ projects }, () => renderProjectTable(projects));
    });

  project
    .command('show')
    .description('show a project and its settings')
    .argument('<name>')
    .action(async (name: string, _flags: object, command: Command) => {
      const ctx = commandContext(command);
      const found = await (await ctx.client()).getProject(validateValue(ProjectName, name, 'NAME'));
      ctx.out.result(found, () => renderProject(found));
    });

  const update = project
    .command('update')
    .description(
      'change a project: repository, default branch, timeouts, preferences, execution; sessions started later use the change',
    )
    .argument('<name>')
    .option('--repo <url>', 'git repository')
    .option('--branch <branch>', 'default branch of new sessions')
    .option('--active-timeout <duration>', 'e.g. 2h')
    .option('--paused-timeout <duration>', 'e.g. 7d')
    .option('--pref <key=value>', 'set a preference (repeatable)', collectPreference)
    .option('--unset-pref <key>', 'remove a preference (repeatable)', collectKey);
  addExecutionOptions(update, { update: true }).action(
    async (name: string, flags: ProjectFlags, command: Command) => {
      const ctx = commandContext(command);
      validateValue(ProjectName, name, 'NAME');
      const body = validateRequest(
        ProjectUpdate,
        {
          repository: flags.repo,
          defaultBranch: flags.branch,
          activeTimeout: flags.activeTimeout,
          pausedTimeout: flags.pausedTimeout,
          preferences: preferenceChanges(flags.pref, flags.unsetPref),
          execution: executionInput(flags),
        },
        PROJECT_FLAGS,
      );
      const updated = await (await ctx.client()).updateProject(name, body);
      ctx.out.result(updated, () => `updated project ${updated.name}\n${renderProject(updated)}`);
    },
  );
}
