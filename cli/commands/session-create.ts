import type { Command } from 'commander';
import { SessionCreate } from '../../contracts/session.js';
import { SESSION_TYPES } from '../../contracts/session-types.js';
import { commandContext } from '../command-context.js';
import { forgetCurrentSession, readCurrentSession, rememberCurrentSession } from '../current-session.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { followSessionStart } from '../follow-session-start.js';
import { validateRequest } from '../request-validation.js';

const SESSION_FLAGS = {
  project: '--project',
  type: '--type',
  branch: '--branch',
  activeTimeout: '--active-timeout',
  pausedTimeout: '--paused-timeout',
};

interface CreateFlags {
  project: string;
  type?: string;
  branch?: string;
  fromConfig?: boolean;
  activeTimeout?: string;
  pausedTimeout?: string;
  wait: boolean;
}

export function registerSessionCreate(session: Command): void {
  session
    .command('create')
    .description('create a session: clone a fresh workspace, load context, check services')
    .requiredOption('--project <name>', 'the project to work on')
    .option('--type <type>', `one of ${SESSION_TYPES.join(', ')} (default development)`)
    .option('--branch <branch>', "branch to work on (default: the project's default branch)")
    .option('--from-config', "reuse the project's last session configuration")
    .option('--active-timeout <duration>', 'end after this much inactivity while active, e.g. 2h')
    .option('--paused-timeout <duration>', 'end after this long paused, e.g. 7d')
    .option('--no-wait', 'return as soon as the session is created, without waiting until it is active')
    .action(async (flags: CreateFlags, command: Command) => {
      const ctx = commandContext(command);
      const body = validateRequest(
        SessionCreate,
        {
          project: flags.project,
          type: flags.type,
          branch: flags.branch,
          fromConfig: flags.fromConfig,
          activeTimeout: flags.activeTimeout,
          pausedTimeout: flags.pausedTimeout,
        },
        SESSION_FLAGS,
      );
      const client = await ctx.client();
      const previous = await readCurrentSession(ctx.config.home);
      const created = await client.createSession(body);
      // Current at once: even while it starts, `info` and `end` should mean this one.
      await rememberCurrentSession(ctx.config.home, created.id);
      if (!flags.wait) {
        ctx.out.result(
          created,
          () =>
            `created session ${created.id} (${created.status}); follow it with \`tevis session timeline ${created.id} --follow\``,
        );
        return;
      }

      const progress = ctx.progress(`${created.id}: starting…`, { handleSignals: false });
      const interrupted = () => {
        progress.stop();
        process.stderr.write(
          `${created.id} goes on starting in the background; \`tevis session info ${created.id}\` shows how far it is\n`,
        );
        process.exit(130);
      };
      process.once('SIGINT', interrupted);
      try {
        const outcome = await followSessionStart(client, created.id, {
          onStep: (step) => progress.update(`${created.id}: ${step}`),
        });
        if (outcome.status !== 'active') {
          // The error itself is printed once, by main, as every error is.
          progress.stop();
          // A session that never became active is nothing to work in; give back the one before.
          if (previous) await rememberCurrentSession(ctx.config.home, previous);
          else await forgetCurrentSession(ctx.config.home, created.id);
        }
        if (outcome.status === 'failed') {
          throw new CliError(
            'session-failed',
            EXIT.sessionFailed,
            `session ${created.id} failed to start: ${outcome.failure}`,
          );
        }
        if (outcome.status === 'ended') {
          throw new CliError(
            'session-ended',
            EXIT.conflict,
            `session ${created.id} ended (${outcome.reason}) before it became active`,
          );
        }
        progress.succeed(`${created.id} is active`);
        const { session } = await client.getSession(created.id);
        const startedFrom = outcome.status === 'active' ? outcome.startedFrom : undefined;
        ctx.out.result(
          startedFrom ? { ...session, startedFrom } : session,
          () =>
            `session ${session.id} is active (current)\nWorkspace: ${session.workspacePath ?? outcome.workspacePath ?? 'unknown'}${startedFrom ? `\n${startedFrom[0]!.toUpperCase()}${startedFrom.slice(1)}` : ''}`,
        );
      } finally {
        process.off('SIGINT', interrupted);
      }
    });
}
