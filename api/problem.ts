import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, isGrpcServiceError } from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import { dataError } from '../db/data-errors.js';
import { isDatabaseUnavailable, isTemporalUnavailable } from './outage-errors.js';
import type { ZodError } from 'zod';
import { TevisError } from '../contracts/errors.js';
import { PROBLEM_TYPES, problemTypeUri, type ProblemType } from '../contracts/problems.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extra: string]: unknown;
}

export function problem(type: ProblemType, detail: string, extras: Record<string, unknown> = {}): Problem {
  const { status, title } = PROBLEM_TYPES[type];
  // Extras never override the standard members.
  return { ...extras, type: problemTypeUri(type), title, status, detail };
}

/**
 * Seconds a client should wait before sending the request again: an outage is usually a restart,
 * and a request still in flight under the same Idempotency-Key answers within seconds.
 */
export const RETRY_AFTER_SECONDS = 2;

export function problemResponse(c: Context, body: Problem): Response {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (body.status === 503 || body.type === problemTypeUri('idempotency-key-in-flight'))
    headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  return c.newResponse(JSON.stringify(body), body.status as 400, headers);
}

export function validationProblem(error: ZodError, where: string): Problem {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return problem('validation', `invalid ${where}: ${detail}`, { issues });
}

/** What the file system says of a path a client named; the detail never shows the host's path. */
const PATH_REFUSALS: Record<string, string> = {
  ENAMETOOLONG: 'the path, or one of its names, is longer than the file system allows (255 bytes a name)',
  ENOTDIR: 'a part of the path that must be a directory is a file',
  EISDIR: 'the path names a directory where a file is needed',
  ELOOP: 'the path goes through too many symbolic links',
  EILSEQ: 'the path is not a valid file name on this file system',
};

/** Whether the file system refused the path itself (too long, through a file, a link loop…). */
export function isPathRefusal(error: unknown): boolean {
  return pathRefusalCode(error) !== null;
}

function pathRefusalCode(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof syscall !== 'string') return null;
  // `mkdir -p` through a file says EEXIST: the same mistake as ENOTDIR.
  if (code === 'EEXIST' && syscall === 'mkdir') return 'ENOTDIR';
  return code in PATH_REFUSALS ? code : null;
}

function filePathProblem(error: unknown): Problem | null {
  const code = pathRefusalCode(error);
  return code ? problem('validation', `invalid path: ${PATH_REFUSALS[code]}`) : null;
}

/**
 * The one place where errors become HTTP: typed Tevis errors by their type, refusals from the
 * session workflow by the failure type they carry, values the database refuses as 400,
 * file-system refusals of a path as 400, the database or Temporal being unreachable as 503.
 */
export function toProblem(error: unknown): Problem {
  if (error instanceof TevisError) return problem(error.type, error.message, error.extras);
  // Before the rest: a refusal wrapped around a lost connection is still an outage.
  if (isTemporalUnavailable(error)) return temporalUnavailable();
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  // Hono's own refusals, e.g. a body that is not JSON at all.
  if (error instanceof HTTPException) {
    if (error.status === 413) return problem('payload-too-large', error.message);
    if (error.status === 401) return problem('unauthorized', error.message);
    if (error.status === 415)
      return problem(
        'unsupported-media-type',
        'send the body as application/json (or leave it out where it is optional)',
      );
    if (error.status < 500) return problem('validation', error.message || 'the request could not be read');
  }
  if (error instanceof WorkflowUpdateFailedError) {
    // An activity the Update waited on failed: its own typed failure, else the record was not
    // reachable — never a misleading "invalid transition".
    const cause = error.cause instanceof ActivityFailure ? (error.cause.cause ?? error.cause) : error.cause;
    if (cause instanceof ApplicationFailure && cause.type && cause.type in PROBLEM_TYPES) {
      // The workflow's refusals carry their extras (e.g. the nanocycle that has a name) as details[0].
      const [details] = cause.details ?? [];
      const extras =
        details && typeof details === 'object' && !Array.isArray(details)
          ? (details as Record<string, unknown>)
          : {};
      return problem(cause.type as ProblemType, cause.message, extras);
    }
    if (error.cause instanceof ActivityFailure)
      return problem(
        'service-unavailable',
        `the session workflow could not complete the change: ${cause?.message ?? error.message}`,
      );
    return problem('invalid-transition', cause?.message ?? error.message);
  }
  const pathProblem = filePathProblem(error);
  if (pathProblem) return pathProblem;
  // The database refused a value (a NUL byte, a number out of range): the request's fault, and
  // the statement failed whole, so nothing was written.
  const refused = dataError(error);
  if (refused)
    return problem(
      'unrecordable',
      `the database cannot record a value of this request: ${refused.message} (SQLSTATE ${refused.code})`,
    );
  if (error instanceof WorkflowNotFoundError) {
    const sessionId = error.workflowId?.replace(/^session-/, '') ?? 'ID';
    return problem(
      'session-not-running',
      `the workflow of session ${sessionId} is not running; bring it back with \`tevis session recover ${sessionId}\``,
    );
  }
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return problem(
      'session-conflict',
      `a workflow for this session is already running (${error.workflowId})`,
    );
  }
  if (
    isGrpcServiceError(error) ||
    (error instanceof Error &&
      /ECONNREFUSED|connect|UNAVAILABLE|DEADLINE/i.test(error.message) &&
      /temporal|grpc|14 UNAVAILABLE/i.test(`${error.name} ${error.message}`))
  ) {
    return temporalUnavailable();
  }
  return problem('internal', 'an unexpected error occurred; the server log has the details');
}

/** Said the same way wherever it is found out, so clients and people read one sentence. */
function databaseUnavailable(): Problem {
  return problem(
    'database-unavailable',
    `the database did not answer; it is safe to send the request again in ${RETRY_AFTER_SECONDS} s`,
    { service: 'database' },
  );
}

/** `before`: found out before anything was sent to the session, so certainly nothing changed. */
export function temporalUnavailable(before = false): Problem {
  const changed = before ? 'nothing was changed; ' : '';
  return problem(
    'temporal-unavailable',
    `Temporal did not answer; ${changed}it is safe to send the request again in ${RETRY_AFTER_SECONDS} s`,
    { service: 'temporal' },
  );
}
