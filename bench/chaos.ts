/**
 * `npm run chaos`: N sessions × M nanocycles on a stack of its own (Postgres, a Temporal dev
 * server, the API and two workers as processes) while workers and the API are SIGKILLed and
 * Temporal and Postgres restart, on a schedule from a seed; then a table of checks (`--json`: one
 * JSON object). Exits 1 when an invariant failed, 2 on a bad flag. Parts in bench/chaos/.
 */
import { fileURLToPath } from 'node:url';
import { type ChaosOptions, parseChaosOptions, USAGE } from './chaos/options.js';
import { type ChaosReport, exitCodeOf, renderReport } from './chaos/report.js';
import { runChaos } from './chaos/run-chaos.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The script: flags in, progress to stderr, the report out (to `write`), the exit code back. */
export async function main(
  argv: string[],
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<number> {
  let options: ChaosOptions;
  try {
    options = parseChaosOptions(argv);
  } catch (error) {
    console.error(`chaos: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const bound = setTimeout(() => {
    console.error(`chaos: not over after ${options.limitSeconds} s; giving up (seed ${options.seed})`);
    process.exit(1);
  }, options.limitSeconds * 1000);
  bound.unref();
  const report: ChaosReport = await runChaos(root, options, console.error);
  clearTimeout(bound);
  write(`${options.json ? JSON.stringify(report, null, 2) : renderReport(report)}\n`);
  return exitCodeOf(report);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
  process.exit();
}
