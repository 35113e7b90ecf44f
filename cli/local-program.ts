import { Command } from 'commander';
import { TEVIS_VERSION } from '../runtime/version.js';
import { registerLocalStatusCommand } from './commands/local-status.js';

/**
 * `tevis-local`: what can be checked on this host without the API, for when the API is the
 * problem. A separate bin, as the product's troubleshooting names it.
 */
export function createLocalProgram(): Command {
  const program = new Command('tevis-local')
    .description('Check the local Tevis install on this host (no API needed)')
    .version(TEVIS_VERSION, '-V, --version')
    .option('--json', 'machine-readable output; errors as {"error": {type, status, detail}}')
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `
Exit codes:
  0  ok
  1  unexpected error
  2  usage error
  5  a required part is down (see the ✗ lines and their fixes)

Environment: TEVIS_HOME, TEVIS_PORT, TEVIS_API_URL, TEVIS_TEMPORAL_PORT, DATABASE_URL, TEMPORAL_ADDRESS, TEVIS_TPU_EXECUTOR, DOCKER_HOST`,
    );
  registerLocalStatusCommand(program);
  return program;
}
