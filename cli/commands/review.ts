import { Option, type Command } from 'commander';
import { ReviewDecision } from '../../contracts/review.js';
import { commandContext } from '../command-context.js';
import { EXIT } from '../exit-codes.js';
import { resolverName } from '../nanocycle-arguments.js';
import { UsageError } from '../errors.js';
import { describeReview, renderReview, reviewStat } from '../render/review.js';
import { validateRequest } from '../request-validation.js';
import { resolveSessionId } from '../session-argument.js';

export function registerReviewCommands(program: Command): void {
  const review = program
    .command('review')
    .description(
      "review sessions: a branch's diff against the project's default branch, and the decision to merge it",
    );

  review
    .command('show')
    .description(
      'the commits and files the branch brings to its base, and the decision so far (--stat: files only; --patch: the whole patch)',
    )
    .argument('[id]', 'review session id (default: the current session)')
    .option('--stat', 'only the files and the line counts')
    .option('--patch', 'print the patch too')
    .action(
      async (given: string | undefined, flags: { stat?: boolean; patch?: boolean }, command: Command) => {
        const ctx = commandContext(command);
        if (flags.stat && flags.patch)
          throw new UsageError(
            '--stat and --patch exclude each other: --stat shows only the files, --patch the whole patch',
          );
        const show = flags.stat ? 'stat' : flags.patch ? 'patch' : 'commits';
        const sessionId = await resolveSessionId(ctx.config.home, given);
        const view = await (await ctx.client()).review(sessionId);
        ctx.out.result(show === 'stat' ? reviewStat(view) : view, () => renderReview(view, { show }));
      },
    );

  for (const decision of ['approve', 'reject'] as const) {
    review
      .command(decision)
      .description(
        decision === 'approve'
          ? 'approve: merge the branch into its base (git merge --no-ff), pushed when the project pushes'
          : 'reject: nothing is merged; --comment says why',
      )
      .argument('[id]', 'review session id (default: the current session)')
      // A rejection says why.
      .addOption(
        new Option(
          '--comment <text>',
          decision === 'approve' ? 'a note, kept on the record' : 'why, kept on the record',
        ).makeOptionMandatory(decision === 'reject'),
      )
      .action(async (given: string | undefined, flags: { comment?: string }, command: Command) => {
        const ctx = commandContext(command);
        const body = validateRequest(
          ReviewDecision,
          { comment: flags.comment, by: resolverName() },
          { comment: '--comment', by: 'the OS user name' },
        );
        const sessionId = await resolveSessionId(ctx.config.home, given);
        const client = await ctx.client();
        const decided = await client.decideReview(sessionId, decision, body);
        const session = ctx.json ? null : await client.getSession(sessionId).catch(() => null);
        ctx.out.result(decided, () => describeReview(decided, session?.session.branch ?? 'the branch'));
        // The answer is the review either way; the exit code says the merge did not happen.
        if (decided.status === 'conflict') process.exitCode = EXIT.conflict;
      });
  }
}
