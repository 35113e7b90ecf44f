import type { Command } from 'commander';
import type { SessionLogLine } from '../api-client.js';
import { commandContext } from '../command-context.js';
import { followSessionOutput, readSessionOutput } from '../follow-session-output.js';
import { followerNotes } from '../follower-notes.js';
import { outputLinePrinter, processSink } from '../output-line-printer.js';
import { renderLogLineJson, renderSessionLogLine } from '../render/nanocycle.js';
import { resolveSessionId } from '../session-argument.js';
import { untilInterrupted } from '../until-interrupted.js';

export function registerSessionOutput(session: Command): void {
  session
    .command('output')
    .description(
      "the output of all a session's nanocycles, each line after its nanocycle id; stderr to stderr; --json prints one JSON object per line",
    )
    .argument('[id]', 'session id (default: the current session)')
    .option('-f, --follow', 'stream new output until the session ends (or Ctrl-C)')
    .action(async (given: string | undefined, flags: { follow?: boolean }, command: Command) => {
      const ctx = commandContext(command);
      const id = await resolveSessionId(ctx.config.home, given);
      const client = await ctx.client();
      const printer = outputLinePrinter<SessionLogLine>(processSink, {
        render: renderSessionLogLine,
        prefix: (line) => `${line.nanocycleId}  `,
      });
      const write = (line: SessionLogLine) => {
        if (ctx.json) process.stdout.write(`${renderLogLineJson(line)}\n`);
        else printer.print(line);
      };
      const { note, onReconnect } = followerNotes(ctx.json, printer.end);
      if (!flags.follow) {
        let count = 0;
        await readSessionOutput(client, id, {}, (line) => {
          count++;
          write(line);
        });
        printer.end();
        if (count === 0)
          note(
            `no nanocycle of ${id} has printed anything yet; \`tevis session output ${id} --follow\` waits for it`,
          );
        return;
      }
      const status = await untilInterrupted((signal) =>
        followSessionOutput(client, id, {
          signal,
          onLine: write,
          onReconnect,
        }),
      );
      printer.end();
      if (status) note(`session ${id} ${status}`);
    });
}
