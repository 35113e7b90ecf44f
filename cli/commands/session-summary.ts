import type { Command } from 'commander';
import { commandContext } from '../command-context.js';
import { resolveSummarySessionId } from '../session-argument.js';

export function registerSessionSummary(session: Command): void {
  session
    .command('summary')
    .description('the summary of an ended session: nanocycles completed, files changed, time spent, metrics')
    .argument('[id]', 'session id (default: the current session, else the one that ended last)')
    .action(async (given: string | undefined, _flags: object, command: Command) => {
      const ctx = commandContext(command);
      const id = await resolveSummarySessionId(ctx.config.home, given, () => ctx.client());
      const client = await ctx.client();
      if (ctx.json) {
        const summary = await client.summary(id);
        ctx.out.result(summary, () => summary.markdown);
        return;
      }
      // The server renders the Markdown; the CLI prints it as it is, ready to paste or pipe.
      const markdown = await client.summaryMarkdown(id);
      ctx.out.result(markdown, () => markdown);
    });
}
