import { Command } from 'commander';
import { TEVIS_VERSION } from '../runtime/version.js';
import { registerApiCommand } from './commands/api.js';
import { registerContextCommands } from './commands/context.js';
import { registerHoldCommands } from './commands/hold.js';
import { registerMemoryCommands } from './commands/memory.js';
import { registerNanocycleCommands } from './commands/nanocycle.js';
import { registerPlanCommands } from './commands/plan.js';
import { registerProjectCommands } from './commands/project.js';
import { registerReviewCommands } from './commands/review.js';
import { registerSessionCommands } from './commands/session.js';
import { registerStatusCommand } from './commands/status.js';
import { registerTpuCommands } from './commands/tpu.js';
import { registerUpCommand } from './commands/up.js';
import { registerWorkerCommand } from './commands/worker.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  unexpected error
  2  usage or validation error
  3  not found
  4  conflict or refused (session state or type does not allow it)
  5  service unavailable (no API at the URL, a service down, or a part could not start)
  6  unauthorized (API token missing or wrong)
  7  the session failed to start

Environment: TEVIS_HOME, TEVIS_PORT, TEVIS_API_URL, TEVIS_API_TOKEN, DATABASE_URL, TEMPORAL_ADDRESS`;

/** The whole command tree. Built fresh per run (and per test): commander keeps parse state. */
export function createProgram(): Command {
  const program = new Command('tevis')
    .description('Durable development sessions on git repositories')
    .version(TEVIS_VERSION, '-V, --version')
    .option('--json', 'machine-readable output on every command; errors as {"error": {type, status, detail}}')
    .option(
      '--api-url <url>',
      'where the API runs (default: TEVIS_API_URL, else http://127.0.0.1:$TEVIS_PORT)',
    )
    // Errors are printed by main.ts, once and in one format, with the exit code of exit-codes.ts.
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .showSuggestionAfterError()
    .addHelpText('after', EXIT_CODES_HELP);

  registerUpCommand(program);
  registerWorkerCommand(program);
  registerApiCommand(program);
  registerProjectCommands(program);
  registerSessionCommands(program);
  registerNanocycleCommands(program);
  registerHoldCommands(program);
  registerReviewCommands(program);
  registerPlanCommands(program);
  registerContextCommands(program);
  registerMemoryCommands(program);
  registerTpuCommands(program);
  registerStatusCommand(program);
  return program;
}
