import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, isGrpcServiceError } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
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

export function problemResponse(c: Context, body: Problem): Response {
  return c.newResponse(JSON.stringify(body), body.status as 400, { 'content-type': 'application/problem+json' });
}

export function validationProblem(error: ZodError, where: string): Problem {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return problem('validation', `invalid ${where}: ${detail}`, { issues });
}

/**
 * The one place where errors become HTTP: typed Tevis errors by their type, refusals from the
 * session workflow by the failure type they carry, Temporal being unreachable as 503.
 */
export function toProblem(error: unknown): Problem {
  if (error instanceof TevisError) return problem(error.type, error.message, error.extras);
  // Hono's own refusals, e.g. a body that is not JSON at all.
  if (error instanceof HTTPException) {
    if (error.status === 413) return problem('payload-too-large', error.message);
    if (error.status === 401) return problem('unauthorized', error.message);
    if (error.status === 415) return problem('unsupported-media-type', 'send the body as application/json (or leave it out where it is optional)');
    if (error.status < 500) return problem('validation', error.message || 'the request could not be read');
  }
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure && cause.type && cause.type in PROBLEM_TYPES) {
      return problem(cause.type as ProblemType, cause.message);
    }
    return problem('invalid-transition', cause?.message ?? error.message);
  }
  if (error instanceof WorkflowNotFoundError) {
    const sessionId = error.workflowId?.replace(/^session-/, '') ?? 'ID';
    return problem('session-not-running', `the workflow of session ${sessionId} is not running; bring it back with \`tevis session recover ${sessionId}\``);
  }
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return problem('session-conflict', `a workflow for this session is already running (${error.workflowId})`);
  }
  if (isGrpcServiceError(error) || (error instanceof Error && /ECONNREFUSED|connect|UNAVAILABLE|DEADLINE/i.test(error.message) && /temporal|grpc|14 UNAVAILABLE/i.test(`${error.name} ${error.message}`))) {
    return problem('service-unavailable', `Temporal did not answer: ${(error as Error).message}`);
  }
  return problem('internal', 'an unexpected error occurred; the server log has the details');
}
