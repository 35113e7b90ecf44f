import type { Command } from 'commander';
import { NanocycleCreate, NanocycleMerge, NanocycleName } from '../../contracts/nanocycle.js';
import type { HoldPointRecord, LogLine, TevisApiClient } from '../api-client.js';
import { commandContext } from '../command-context.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { followNanocycleLogs, readLogLines, settledNanocycle } from '../follow-nanocycle-logs.js';
import { followerNotes } from '../follower-notes.js';
import { parseNanocycleArgument, resolverName } from '../nanocycle-arguments.js';
import { collectString } from '../option-parsers.js';
import {
  describeNanocycleOutcome,
  nextStepHint,
  renderDiff,
  logLineDestination,
  renderLogLine,
  renderLogLineJson,
  renderNanocycleQueued,
  renderNanocycleTable,
} from '../render/nanocycle.js';
import { validateRequest, validateValue } from '../request-validation.js';
import { resolveSessionOption } from '../session-argument.js';
import { untilInterrupted } from '../until-interrupted.js';

const SESSION_OPTION = ['--session <id>', 'session id (default: the current session)'] as const;

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

/** The pending hold point of a nanocycle, if any (for the hint after a merge or a status). */
async function pendingHoldOf(
  client: TevisApiClient,
  sessionId: string,
  nanocycleId: string,
): Promise<HoldPointRecord | null> {
  try {
    return (
      (await client.listHoldPoints(sessionId)).find(
        (h) => h.nanocycleId === nanocycleId && h.status === 'pending',
      ) ?? null
    );
  } catch {
    // Only a hint depends on it.
    return null;
  }
}

/** stdout lines to stdout and stderr lines to stderr, so a pipe sees what the program printed. */
function logWriter(json: boolean): (line: LogLine) => void {
  let run: number | null = null;
  return (line) => {
    if (json) {
      process.stdout.write(`${renderLogLineJson(line)}\n`);
      return;
    }
    // A new run follows an agent's hold point; mark where it starts.
    if (run !== null && line.run !== run) process.stderr.write(`tevis: ── run ${line.run} ──\n`);
    run = line.run;
    process[logLineDestination(line)].write(`${renderLogLine(line)}\n`);
  };
}

export function registerNanocycleCommands(program: Command): void {
  const nanocycle = program
    .command('nanocycle')
    .alias('nc')
    .description(
      'units of work on their own branch, run on a TPU: create, list, follow their output, review, merge, cancel',
    );

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

  nanocycle
    .command('logs')
    .description(
      "a nanocycle's output, stdout to stdout and stderr to stderr; --json prints one JSON object per line",
    )
    .argument('<nc>', 'nanocycle id, e.g. NC-001')
    .option('-f, --follow', 'stream new output until the nanocycle is done (or Ctrl-C)')
    .option(...SESSION_OPTION)
    .action(async (given: string, flags: { session?: string; follow?: boolean }, command: Command) => {
      const ctx = commandContext(command);
      const id = parseNanocycleArgument(given);
      const sessionId = await resolveSessionOption(ctx.config.home, flags.session);
      const client = await ctx.client();
      const write = logWriter(ctx.json);
      const { note, onReconnect } = followerNotes(ctx.json);
      if (!flags.follow) {
        let count = 0;
        await readLogLines(client, sessionId, id, 0, (line) => {
          count++;
          write(line);
        });
        if (count === 0)
          note(`${id} has printed nothing yet; \`tevis nanocycle logs ${id} --follow\` waits for its output`);
        return;
      }
      const output = await untilInterrupted((signal) =>
        followNanocycleLogs(client, sessionId, id, {
          signal,
          onLine: write,
          onStatus(nc, pending) {
            if (nc.status === 'queued') note(`${id} is queued: it starts when a TPU of the session is free`);
            else if (nc.status === 'awaiting_approval' && nc.finishedAt === null) {
              note(
                pending
                  ? `${id} waits at hold point ${pending.id} (${pending.kind}): ${pending.reason}\n  answer with \`tevis hold approve ${pending.id} --comment "…"\` or \`tevis hold reject ${pending.id}\``
                  : `${id} waits at a hold point; \`tevis hold list\` shows it`,
              );
            }
          },
          onReconnect,
        }),
      );
      // The closing note is for people; a script reading NDJSON is done when the lines are.
      if (output && !ctx.json) {
        const ended = await settledNanocycle(client, sessionId, output);
        note(describeNanocycleOutcome(ended, { detail: 'first-line' }));
        const pending =
          ended.status === 'awaiting_approval' || ended.status === 'conflict'
            ? await pendingHoldOf(client, sessionId, id)
            : null;
        const hint = nextStepHint(ended, pending?.id ?? null);
        if (hint) note(hint);
      }
    });

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
