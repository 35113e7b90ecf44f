import { PROBLEM_TYPES } from '../contracts/problems.js';

/**
 * Exit codes scripts can rely on. They are part of the CLI's contract: add new ones at the end,
 * never renumber.
 *
 *   0  ok
 *   1  unexpected error (a bug, or a 5xx other than 503)
 *   2  usage or validation: bad flags or arguments, or the API answered 400 / 413 / 415 / 431
 *   3  not found: no such project, session, file or route (404)
 *   4  conflict or refused: the session's state or type does not allow it (409 / 403)
 *   5  service unavailable: no API at the URL, the API reports a part down (503, `status`), or
 *      `up` / `worker` / `api` could not start or reach what they need
 *   6  unauthorized: the API token is missing or wrong (401)
 *   7  the session failed: it was created but could not start (clone, context), see its failure
 */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  unavailable: 5,
  unauthorized: 6,
  sessionFailed: 7,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitCodeForStatus(status: number): ExitCode {
  if (status === 400 || status === 413 || status === 415 || status === 422 || status === 431)
    return EXIT.usage;
  if (status === 401) return EXIT.unauthorized;
  if (status === 403 || status === 409) return EXIT.conflict;
  if (status === 404) return EXIT.notFound;
  if (status === 503) return EXIT.unavailable;
  return status < 400 ? EXIT.ok : EXIT.unexpected;
}

/**
 * The problem type decides when the CLI knows it; the status only for types newer than this
 * CLI, so a server that changes a status code does not silently change what scripts see.
 */
export function exitCodeForProblem(type: string, status: number): ExitCode {
  const known = (PROBLEM_TYPES as Record<string, { status: number }>)[type];
  return exitCodeForStatus(known ? known.status : status);
}
