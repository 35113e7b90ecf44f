import type { Command } from 'commander';
import type { LogLine } from '../api-client.js';
import { commandContext } from '../command-context.js';
import { followNanocycleLogs, readLogLines, settledNanocycle } from '../follow-nanocycle-logs.js';
import { followerNotes } from '../follower-notes.js';
import { parseNanocycleArgument } from '../nanocycle-arguments.js';
import { pendingHoldOf } from '../pending-hold.js';
import { outputLinePrinter, processSink } from '../output-line-printer.js';
import {
  describeNanocycleOutcome,
  nextStepHint,
  renderLogLine,
  renderLogLineJson,
} from '../render/nanocycle.js';
import { resolveSessionOption, SESSION_OPTION } from '../session-argument.js';
import { untilInterrupted } from '../until-interrupted.js';

/**
 * stdout lines to stdout and stderr lines to stderr, so a pipe sees what the program printed;
 * `end` ends an agent's message running on (output-line-printer.ts) before a note is written.
 */
function logWriter(json: boolean): { write(line: LogLine): void; end(): void } {
  let run: number | null = null;
  const printer = outputLinePrinter<LogLine>(processSink, { render: renderLogLine, prefix: () => '' });
  return {
    write(line) {
      if (json) {
        process.stdout.write(`${renderLogLineJson(line)}\n`);
        return;
      }
      // A new run follows an agent's hold point; mark where it starts.
      if (run !== null && line.run !== run) {
        printer.end();
        process.stderr.write(`tevis: ── run ${line.run} ──\n`);
      }
      run = line.run;
      printer.print(line);
    },
    end: printer.end,
  };
}

export function registerNanocycleLogs(nanocycle: Command): void {
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
      const { write, end } = logWriter(ctx.json);
      const { note, onReconnect } = followerNotes(ctx.json, end);
      if (!flags.follow) {
        let count = 0;
        await readLogLines(client, sessionId, id, 0, (line) => {
          count++;
          write(line);
        });
        end();
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
      end();
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
}
