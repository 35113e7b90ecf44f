import type { Command } from 'commander';
import { printError, reportFor } from './error-report.js';

/**
 * What both entry points (`tevis`, `tevis-local`) do with their program: run it, and end every
 * failure here: one `<name>: …` line on stderr, the JSON form on stdout under --json, and a
 * documented exit code.
 */
export async function runCommandLine(program: Command, name: 'tevis' | 'tevis-local'): Promise<void> {
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
      // Said as this command's name, so a user knows which of the two spoke.
      const named = (t: string) => (name === 'tevis' ? t : t.replace(/^tevis: /, `${name}: `));
      printError(
        report,
        { json, stack },
        { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(named(t)) },
      );
    }
    process.exitCode = report.exitCode;
  }
}
