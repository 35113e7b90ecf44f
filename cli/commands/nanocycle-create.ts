import type { Command } from 'commander';
import { NanocycleCreate, NanocycleName } from '../../contracts/nanocycle.js';
import { commandContext } from '../command-context.js';
import { UsageError } from '../errors.js';
import { collectString } from '../option-parsers.js';
import { renderNanocycleQueued } from '../render/nanocycle.js';
import { validateRequest, validateValue } from '../request-validation.js';
import { resolveSessionOption, SESSION_OPTION } from '../session-argument.js';

const CREATE_FLAGS = {
  name: '--name',
  goal: '--goal',
  run: '--run',
  hold: '--hold-plan / --hold-merge',
  'hold.plan': '--hold-plan',
  'hold.merge': '--hold-merge',
};

interface CreateFlags {
  session?: string;
  name: string;
  goal?: string;
  run?: string[];
  holdPlan?: boolean;
  holdMerge?: boolean;
}

/** The flags of `nanocycle create` as the API's body, checked with the contract's schema. */
export function nanocycleCreateBody(flags: Omit<CreateFlags, 'session'>): NanocycleCreate {
  validateValue(NanocycleName, flags.name, '--name');
  if (flags.goal === undefined && flags.run === undefined) {
    throw new UsageError(
      'give --goal "…" for the project\'s agent, or --run "CMD" (repeatable) for steps run in order',
    );
  }
  const hold =
    flags.holdPlan === undefined && flags.holdMerge === undefined
      ? undefined
      : { plan: flags.holdPlan, merge: flags.holdMerge };
  return validateRequest(
    NanocycleCreate,
    { name: flags.name, goal: flags.goal, run: flags.run, hold },
    CREATE_FLAGS,
  );
}

export function registerNanocycleCreate(nanocycle: Command): void {
  nanocycle
    .command('create')
    .description(
      "queue a nanocycle in a development session: the project's agent works on --goal, or --run steps run in order",
    )
    .requiredOption(
      '--name <name>',
      'short name, lowercase letters, digits and "-"; the branch is feat/nc-NNN-<name>',
    )
    .option('--goal <text>', 'what the agent is to do (reaches it as TEVIS_GOAL)')
    .option(
      '--run <command>',
      'a shell step to run instead of the agent (repeatable, run in order)',
      collectString,
    )
    .option('--hold-plan', 'stop before it runs, for a person to approve (or edit) the goal')
    .option('--no-hold-plan', 'run without a plan hold point, whatever the project says')
    .option('--hold-merge', 'stop before merging, for a person to review')
    .option('--no-hold-merge', 'merge as soon as it completes, whatever the project says')
    .option(...SESSION_OPTION)
    .action(async (flags: CreateFlags, command: Command) => {
      const ctx = commandContext(command);
      const body = nanocycleCreateBody(flags);
      const sessionId = await resolveSessionOption(ctx.config.home, flags.session);
      const created = await (await ctx.client()).createNanocycle(sessionId, body);
      ctx.out.result(created, () => renderNanocycleQueued(created));
    });
}
