import type { Command } from 'commander';
import { commandContext } from '../command-context.js';
import { forgetCurrentSession } from '../current-session.js';
import { renderSummaryHeadline } from '../render/summary-headline.js';
import { resolveSessionId } from '../session-argument.js';

export function registerSessionEnd(session: Command): void {
  session
    .command('end')
    .description('end a session: workspace kept, state saved, temporary files removed, summary generated')
    .argument('[id]', 'session id (default: the current session)')
    .action(async (given: string | undefined, _flags: object, command: Command) => {
      const ctx = commandContext(command);
      const id = await resolveSessionId(ctx.config.home, given);
      const client = await ctx.client();
      // The API answers once the summary is written, which takes a while on a large workspace.
      const progress = ctx.progress(`${id}: ending, generating summary…`);
      let ended: Awaited<ReturnType<typeof client.endSession>>;
      try {
        ended = await client.endSession(id);
      } catch (error) {
        progress.stop();
        throw error;
      }
      progress.succeed(`${id} ${ended.status}`);
      await forgetCurrentSession(ctx.config.home, id);
      const summary = await client.summary(id);
      ctx.out.result({ session: ended, summary }, () => renderSummaryHeadline(summary));
    });
}
