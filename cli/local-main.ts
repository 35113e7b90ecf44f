import { printError, reportFor } from './error-report.js';
import { createLocalProgram } from './local-program.js';

/** The `tevis-local` entry point (bin/tevis-local.js); errors as `tevis` prints them (main.ts). */
const program = createLocalProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const report = reportFor(error);
  const helpShown =
    (error as { code?: string }).code?.startsWith('commander.help') ||
    (error as { code?: string }).code === 'commander.version';
  if (!helpShown) {
    const json = Boolean(program.opts().json) || process.argv.includes('--json');
    // Said as this command's name, so a user knows which of the two spoke.
    printError(
      report,
      { json },
      {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t.replace(/^tevis: /, 'tevis-local: ')),
      },
    );
  }
  process.exitCode = report.exitCode;
}
