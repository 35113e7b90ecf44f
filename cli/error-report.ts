import { CommanderError } from 'commander';
import { CliError } from './errors.js';
import { EXIT, type ExitCode } from './exit-codes.js';

export interface ErrorReport {
  exitCode: ExitCode;
  type: string;
  status: number | null;
  detail: string;
}

/** Any thrown value as what the user and scripts are told: a message, a type and an exit code. */
export function reportFor(error: unknown): ErrorReport {
  if (error instanceof CliError)
    return { exitCode: error.exitCode, type: error.type, status: error.status, detail: error.detail };
  if (error instanceof CommanderError) {
    // Commander's own output of errors is switched off (main.ts), so its message is printed here
    // like every other. Help and --version arrive here too, with exit code 0.
    const detail = error.message.replace(/^error:\s*/, '');
    return { exitCode: error.exitCode === 0 ? EXIT.ok : EXIT.usage, type: 'usage', status: null, detail };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { exitCode: EXIT.unexpected, type: 'unexpected', status: null, detail };
}

export interface ReportStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/**
 * `tevis: <detail>` on stderr for people; with `--json` also `{"error": {...}}` on stdout, so a
 * script reading stdout always gets a JSON document, result or error.
 */
export function printError(
  report: ErrorReport,
  options: { json: boolean; stack?: string },
  streams: ReportStreams,
): void {
  streams.stderr(`tevis: ${report.detail}\n`);
  // A bug's stack helps whoever fixes it; TEVIS_DEBUG asks for it (see main.ts).
  if (options.stack && report.exitCode === EXIT.unexpected) streams.stderr(`${options.stack}\n`);
  if (options.json) {
    streams.stdout(
      `${JSON.stringify(
        { error: { type: report.type, status: report.status, detail: report.detail } },
        null,
        2,
      )}\n`,
    );
  }
}
