import type { Command } from 'commander';
import type { LocalStatus } from '../../contracts/local-status.js';
import { readConfig } from '../command-context.js';
import { EXIT } from '../exit-codes.js';
import { createOutput, renderTable } from '../output.js';

export function registerLocalStatusCommand(program: Command): void {
  program
    .command('status')
    .description(
      'check the local install without the API: `tevis up`, the API port, Temporal, the database, the TPU executor, /health (exit 0 when all required are ok, 5 when not)',
    )
    .action(async (_flags: object, command: Command) => {
      const json = Boolean(command.optsWithGlobals<{ json?: boolean }>().json);
      const config = readConfig();
      // Loaded here: the checks pull in Temporal's client and the TPU executors.
      const { checkLocalInstall } = await import('../../runtime/local-checks.js');
      const status = await checkLocalInstall(config);
      createOutput(json).result(status, () => renderLocalStatus(status));
      if (!status.ok) process.exitCode = EXIT.unavailable;
    });
}

function renderLocalStatus(status: LocalStatus): string {
  const rows = status.checks.map((check) => [
    check.ok ? '✓' : '✗',
    check.optional ? `${check.name} (optional)` : check.name,
    check.detail,
  ]);
  const fixes = status.checks
    .filter((check) => !check.ok && check.fix)
    .map((check) => `  ✗ ${check.name}: ${check.fix}`);
  const verdict = status.ok ? 'Tevis Local is ok.' : 'Tevis Local is not ok.';
  return [
    renderTable(['', 'CHECK', 'DETAIL'], rows),
    '',
    fixes.length ? `${verdict} To fix:\n${fixes.join('\n')}` : verdict,
  ].join('\n');
}
