import { printError, reportFor } from './error-report.js';
import { createProgram } from './program.js';

/**
 * The `tevis` entry point (bin/tevis.js loads it through tsx). Every failure ends here: one
 * `tevis: …` line on stderr, the JSON form on stdout under --json, and a documented exit code.
 */
const program = createProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const report = reportFor(error);
  // Help asked for, or shown because a command group was called bare: already on screen.
  const helpShown =
    (error as { code?: string }).code?.startsWith('commander.help') ||
    (error as { code?: string }).code === 'commander.version';
  if (!helpShown) {
    const json = Boolean(program.opts().json) || process.argv.includes('--json');
    const stack = process.env.TEVIS_DEBUG && error instanceof Error ? error.stack : undefined;
    printError(
      report,
      { json, stack },
      { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
    );
  }
  process.exitCode = report.exitCode;
}
