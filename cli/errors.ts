import { EXIT, exitCodeForProblem, type ExitCode } from './exit-codes.js';

/**
 * A failure the CLI expected and can explain: it carries the exit code and a stable `type` so
 * `--json` output and exit status agree. Anything else that is thrown is a bug (exit 1).
 */
export class CliError extends Error {
  constructor(
    readonly type: string,
    readonly exitCode: ExitCode,
    readonly detail: string,
    readonly status: number | null = null,
  ) {
    super(detail);
    this.name = 'CliError';
  }
}

/** Bad flags or arguments, caught before anything is sent. */
export class UsageError extends CliError {
  constructor(detail: string) {
    super('validation', EXIT.usage, detail);
    this.name = 'UsageError';
  }
}

/** The API answered with a problem+json document (or at least an error status). */
export class ApiProblemError extends CliError {
  constructor(
    type: string,
    status: number,
    detail: string,
    readonly extras: Record<string, unknown> = {},
  ) {
    super(type, exitCodeForProblem(type, status), detail, status);
    this.name = 'ApiProblemError';
  }
}

/** Nothing listens at the API URL, so no request reached Tevis at all. */
export class ApiUnreachableError extends CliError {
  constructor(
    readonly apiUrl: string,
    reason: string,
  ) {
    super(
      'api-unreachable',
      EXIT.unavailable,
      `no API at ${apiUrl} — start it with \`tevis up\`, or point TEVIS_API_URL (or --api-url) at a running one (${reason})`,
    );
    this.name = 'ApiUnreachableError';
  }
}
