import type { Command } from 'commander';
import { NanocycleMerge } from '../../contracts/nanocycle.js';
import { commandContext } from '../command-context.js';
import { EXIT } from '../exit-codes.js';
import { parseNanocycleArgument, resolverName } from '../nanocycle-arguments.js';
import { pendingHoldOf } from '../pending-hold.js';
import {
  describeNanocycleOutcome,
  nextStepHint,
  renderDiff,
  renderNanocycleTable,
} from '../render/nanocycle.js';
import { validateRequest } from '../request-validation.js';
import { resolveSessionOption, SESSION_OPTION } from '../session-argument.js';
import { registerNanocycleCreate } from './nanocycle-create.js';
import { registerNanocycleLogs } from './nanocycle-logs.js';

export function registerNanocycleCommands(program: Command): void {
  const nanocycle = program
    .command('nanocycle')
    .alias('nc')
    .description(
      'units of work on their own branch, run on a TPU: create, list, follow their output, review, merge, cancel',
    );

  registerNanocycleCreate(nanocycle);

  nanocycle
    .command('list')
    .description('the nanocycles of a session: id, name, status, branch and executor')
    .option(...SESSION_OPTION)
    .action(async (flags: { session?: string }, command: Command) => {
      const ctx = commandContext(command);
      const sessionId = await resolveSessionOption(ctx.config.home, flags.session);
      const nanocycles = await (await ctx.client()).listNanocycles(sessionId);
      ctx.out.result({ nanocycles }, () => renderNanocycleTable(nanocycles, sessionId));
    });

  registerNanocycleLogs(nanocycle);

  nanocycle
    .command('diff')
    .description("a nanocycle's changes against the session branch: the files changed and the patch")
    .argument('<nc>', 'nanocycle id, e.g. NC-001')
    .option('--stat', 'only the files changed, not the patch')
    .option(...SESSION_OPTION)
    .action(async (given: string, flags: { session?: string; stat?: boolean }, command: Command) => {
      const ctx = commandContext(command);
      const id = parseNanocycleArgument(given);
      const sessionId = await resolveSessionOption(ctx.config.home, flags.session);
      const diff = await (await ctx.client()).nanocycleDiff(sessionId, id);
      ctx.out.result(flags.stat ? { files: diff.files } : diff, () =>
        renderDiff(diff, id, { stat: Boolean(flags.stat) }),
      );
    });

  nanocycle
    .command('cancel')
    .description(
      'cancel a queued, running or waiting nanocycle; its TPU is stopped and removed, its branch kept',
    )
    .argument('<nc>', 'nanocycle id, e.g. NC-003')
    .option(...SESSION_OPTION)
    .action(async (given: string, flags: { session?: string }, command: Command) => {
      const ctx = commandContext(command);
      const id = parseNanocycleArgument(given);
      const sessionId = await resolveSessionOption(ctx.config.home, flags.session);
      const cancelled = await (await ctx.client()).cancelNanocycle(sessionId, id);
      ctx.out.result(cancelled, () => `${cancelled.id} ${cancelled.status}`);
    });

  nanocycle
    .command('merge')
    .description(
      'merge a completed nanocycle into the session branch (git merge --no-ff, one at a time); approves its merge hold point',
    )
    .argument('<nc>', 'nanocycle id, e.g. NC-002')
    .option('--comment <text>', 'why, kept on its merge hold point')
    .option(...SESSION_OPTION)
    .action(async (given: string, flags: { session?: string; comment?: string }, command: Command) => {
      const ctx = commandContext(command);
      const id = parseNanocycleArgument(given);
      const body = validateRequest(
        NanocycleMerge,
        { comment: flags.comment, by: resolverName() },
        { comment: '--comment', by: 'the OS user name' },
      );
      const sessionId = await resolveSessionOption(ctx.config.home, flags.session);
      const client = await ctx.client();
      const merged = await client.mergeNanocycle(sessionId, id, body);
      ctx.out.result(merged, () => describeNanocycleOutcome({ ...merged, data: {} }));
      if (merged.status === 'conflict') {
        // The nanocycle is the answer either way (one JSON document on stdout); the exit code
        // and stderr say that the merge did not happen and what to do.
        const hold = await pendingHoldOf(client, sessionId, id);
        process.stderr.write(`tevis: ${id} was not merged; ${nextStepHint(merged, hold?.id ?? null)}\n`);
        process.exitCode = EXIT.conflict;
      }
    });
}
