import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

/**
 * A long-running command that cannot start (port taken, Temporal or Postgres unreachable, no
 * Temporal CLI) has an environment problem, not a bug: exit 5 with the cause's own message.
 */
export function startupFailure(what: string, error: unknown): CliError {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CliError('start-failed', EXIT.unavailable, `${what} could not start: ${message}`);
}
