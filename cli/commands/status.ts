import type { Command } from 'commander';
import { commandContext } from '../command-context.js';
import { EXIT } from '../exit-codes.js';
import { renderServiceStatus, requiredServicesOk } from '../render/service-status.js';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description(
      'health of the API, worker, Temporal, database and TPU executor (exit 0 when all required are ok, 5 when not)',
    )
    .action(async (_flags: object, command: Command) => {
      const ctx = commandContext(command);
      const client = await ctx.client();
      // /health needs no token, so "is anything there at all" is answered before auth can fail.
      const health = await client.health();
      const status = await client.status();
      const ok = requiredServicesOk(status);
      ctx.out.result({ apiUrl: client.baseUrl, version: health.version, ok, ...status }, () => {
        const verdict = ok
          ? 'all required services are ok'
          : 'some required services are down; sessions will not make progress';
        return `${renderServiceStatus(status, client.baseUrl)}\n\n${verdict}`;
      });
      // The table is the output either way; only the exit status says whether to worry.
      if (!ok) process.exitCode = EXIT.unavailable;
    });
}
