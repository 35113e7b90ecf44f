import type { Command } from 'commander';
import { commandContext, type CommandContext } from './command-context.js';
import { ApiProblemError } from './errors.js';
import { PlanningClient } from './planning-client.js';
import { resolveSessionOption } from './session-argument.js';

export interface PlanningCommand {
  ctx: CommandContext;
  sessionId: string;
  planning: PlanningClient;
  /**
   * Runs a call; a refusal for the session's type is said in the CLI's words, with the command
   * that makes a session that can (`what`: "draft plans", "edit context documents").
   */
  run<T>(what: string, call: (planning: PlanningClient) => Promise<T>): Promise<T>;
}

/** What every `plan`, `context` and `memory` command starts from: its session (`--session`, else the current one). */
export async function planningCommand(
  command: Command,
  flags: { session?: string },
): Promise<PlanningCommand> {
  const ctx = commandContext(command);
  const sessionId = await resolveSessionOption(ctx.config.home, flags.session);
  const api = await ctx.client();
  const planning = new PlanningClient(api);
  return {
    ctx,
    sessionId,
    planning,
    async run(what, call) {
      try {
        return await call(planning);
      } catch (error) {
        if (!(error instanceof ApiProblemError) || error.type !== 'capability-not-allowed') throw error;
        const session = await api.getSession(sessionId).catch(() => null);
        const type = session?.session.type ?? String(error.extras.sessionType ?? 'this');
        const project = session?.session.project ?? 'P';
        throw new ApiProblemError(
          error.type,
          error.status ?? 403,
          `a ${type} session cannot ${what}; create a planning session: tevis session create --project ${project} --type planning`,
          error.extras,
        );
      }
    },
  };
}
