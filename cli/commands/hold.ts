import type { Command } from 'commander';
import { HoldPointResolve } from '../../contracts/nanocycle.js';
import type { HoldPointBrief } from '../../contracts/session-state.js';
import type { TevisApiClient } from '../api-client.js';
import { commandContext } from '../command-context.js';
import { UsageError } from '../errors.js';
import { holdPointKind, parseHoldPointArgument, resolverName } from '../nanocycle-arguments.js';
import { renderAgentRequests } from '../render/agent-request.js';
import { describeNanocycleOutcome, renderHoldTable } from '../render/nanocycle.js';
import { validateRequest } from '../request-validation.js';
import { resolveSessionOption, SESSION_OPTION } from '../session-argument.js';

interface ResolveFlags {
  session?: string;
  comment?: string;
  goal?: string;
  option?: string;
}

/** The body of approve / reject: the comment, a plan's edited goal, and who decided. */
export function holdResolveBody(
  holdPointId: string,
  decision: 'approve' | 'reject',
  flags: ResolveFlags,
  by: string,
): HoldPointResolve {
  if (flags.goal !== undefined && holdPointKind(holdPointId) !== 'plan') {
    const kind = holdPointKind(holdPointId);
    throw new UsageError(
      `--goal replaces the goal at a plan hold point; ${holdPointId} is a${/^[aeiou]/.test(kind) ? 'n' : ''} ${kind} hold point (use --comment)`,
    );
  }
  if (flags.option !== undefined && holdPointKind(holdPointId) !== 'agent') {
    throw new UsageError(
      `--option picks one of an ACP agent's options at its agent hold point; ${holdPointId} is a ${holdPointKind(holdPointId)} hold point`,
    );
  }
  return validateRequest(
    HoldPointResolve,
    {
      comment: flags.comment,
      goal: decision === 'approve' ? flags.goal : undefined,
      by,
      option: flags.option,
    },
    { comment: '--comment', goal: '--goal', by: 'the OS user name', option: '--option' },
  );
}

/** What happened to the nanocycle after the answer, in a line; null when that cannot be told. */
async function afterwards(
  client: TevisApiClient,
  sessionId: string,
  hold: HoldPointBrief,
  decision: 'approve' | 'reject',
): Promise<string | null> {
  if (!hold.nanocycleId) return null;
  if (decision === 'approve' && (hold.kind === 'plan' || hold.kind === 'agent')) {
    return `${hold.nanocycleId} goes on; follow it with \`tevis nanocycle logs ${hold.nanocycleId} --follow\``;
  }
  try {
    const nc = (await client.listNanocycles(sessionId)).find((n) => n.id === hold.nanocycleId);
    return nc ? describeNanocycleOutcome(nc) : null;
  } catch {
    return null;
  }
}

export function registerHoldCommands(program: Command): void {
  const hold = program
    .command('hold')
    .description(
      "hold points: where a nanocycle waits for a person (plan, merge, an agent's question, a conflict)",
    );

  hold
    .command('list')
    .description('the hold points of a session waiting for an answer (--all: resolved ones too)')
    .option('--all', 'also the hold points already approved or rejected')
    .option(...SESSION_OPTION)
    .action(async (flags: { session?: string; all?: boolean }, command: Command) => {
      const ctx = commandContext(command);
      const sessionId = await resolveSessionOption(ctx.config.home, flags.session);
      const all = await (await ctx.client()).listHoldPoints(sessionId);
      const holdPoints = flags.all ? all : all.filter((h) => h.status === 'pending');
      ctx.out.result({ holdPoints }, () => {
        const table = renderHoldTable(holdPoints, sessionId, { all: Boolean(flags.all) });
        // An agent's question is a tool call and its options: too much for a table cell.
        const requests = renderAgentRequests(holdPoints.filter((h) => h.status === 'pending'));
        return requests ? `${table}\n\n${requests}` : table;
      });
    });

  for (const decision of ['approve', 'reject'] as const) {
    const sub = hold
      .command(decision)
      .argument('<hold-id>', 'hold point id, e.g. HP-001-merge (`tevis hold list` shows them)')
      .option(
        '--comment <text>',
        decision === 'approve'
          ? "a note; at an agent's hold point the agent gets it too (a plain command in TEVIS_HOLD_ANSWER, an ACP agent with its answer)"
          : 'why, kept on the record; an ACP agent gets it with its answer',
      )
      .option(
        '--option <id>',
        decision === 'approve'
          ? "at an ACP agent's hold point: answer with this allow option (e.g. its allow_always) instead of allow_once; `tevis hold list` shows the ids"
          : "at an ACP agent's hold point: answer with this reject option instead of reject_once; `tevis hold list` shows the ids",
      )
      .option(...SESSION_OPTION);
    if (decision === 'approve') {
      sub
        .description(
          'approve a hold point: a plan runs (with --goal, an edited goal), a merge or a resolved conflict merges, an agent gets its answer',
        )
        .option('--goal <text>', 'at a plan hold point: run with this goal instead');
    } else {
      sub.description('reject a hold point: the nanocycle ends as rejected, its branch kept');
    }
    sub.action(async (given: string, flags: ResolveFlags, command: Command) => {
      const ctx = commandContext(command);
      const id = parseHoldPointArgument(given);
      const body = holdResolveBody(id, decision, flags, resolverName());
      const sessionId = await resolveSessionOption(ctx.config.home, flags.session);
      const client = await ctx.client();
      const resolved = await client.resolveHoldPoint(sessionId, id, decision, body);
      const next = ctx.json ? null : await afterwards(client, sessionId, resolved, decision);
      ctx.out.result(resolved, () =>
        [
          `${decision === 'approve' ? 'approved' : 'rejected'} ${resolved.id}${resolved.nanocycleId ? ` (${resolved.nanocycleId}, ${resolved.kind})` : ''}`,
          next,
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });
  }
}
