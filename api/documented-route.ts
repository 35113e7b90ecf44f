import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import { PROBLEM_TYPES } from '../contracts/problems.js';
import { ProblemSchema } from './schemas.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_PATTERN_SOURCE } from '../contracts/idempotency.js';

/**
 * A route declaration that lists every status the route can answer, not only the ones its handler
 * means to: the OpenAPI document is a contract, and a client (or a fuzzer) that meets a status the
 * document never named has been lied to. Most of those statuses come from what the route *is*
 * (secured, takes input, takes a body, touches services), so they are worked out here, once;
 * the handler's own refusals are named by the route.
 */

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 431 | 500 | 503;

export interface RouteErrors {
  /** Statuses the handler itself raises beyond the ones this module works out (e.g. 409). */
  answers?: ErrorStatus[];
  /** Never answers 503: it touches no service, or reports a service's state instead of failing. */
  answersWithoutServices?: boolean;
}

const WHY: Record<ErrorStatus, string> = {
  400: 'Invalid input: a path parameter, query, header or body that fails its schema',
  401: 'Missing or wrong API token',
  403: "Refused: outside the session type's capabilities, outside the workspace, or a state-changing request from another origin",
  404: 'The named resource does not exist',
  409: 'Conflict with the current state, or the first request with this Idempotency-Key still runs (with Retry-After)',
  413: 'The request body (or the file asked for) is larger than the limit',
  415: 'The request body is not of a media type this route takes',
  422: 'The Idempotency-Key was already used for another request',
  431: 'The request headers are too large (answered by the HTTP server before routing)',
  500: 'An unexpected error; the server log has the details',
  503: 'A service Tevis depends on (database, Temporal) is unavailable; Retry-After says when to send the request again',
};

/** The stable problem types each status carries, so the description names what `type` can be. */
function typesWith(status: number): string {
  const types = Object.entries(PROBLEM_TYPES)
    .filter(([, t]) => t.status === status)
    .map(([name]) => `\`urn:tevis:problem:${name}\``);
  return types.length ? ` (type ${types.join(', ')})` : '';
}

function problemResponse(status: ErrorStatus) {
  return {
    description: WHY[status] + typesWith(status),
    content: { 'application/problem+json': { schema: ProblemSchema } },
  };
}

const STATE_CHANGING = new Set(['post', 'put', 'patch', 'delete']);
const JSON_MEDIA = /^application\/([a-z0-9.+-]*\+)?json$/;

/** What the route's shape implies, whatever its handler does. */
function impliedErrorStatuses(config: RouteConfig, errors: RouteErrors = {}): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>(errors.answers ?? []);
  const request = config.request ?? {};
  const hasPathParams = /\{[^}]+\}/.test(config.path);
  if (hasPathParams || request.params || request.query || request.headers || request.body) statuses.add(400);
  // A route opts out of the token with `security: []`; every other one answers 401 without it.
  if (!(Array.isArray(config.security) && config.security.length === 0)) statuses.add(401);
  if (hasPathParams) statuses.add(404);
  if (STATE_CHANGING.has(config.method)) {
    // Cross-origin refusals, and the body limit applies to whatever body is sent.
    statuses.add(403);
    statuses.add(413);
    // Idempotency-Key (api/idempotency.ts): malformed, still in flight, or used for another request.
    statuses.add(400);
    statuses.add(409);
    statuses.add(422);
  }
  // The router checks the content type of a JSON body before it parses it.
  if (Object.keys(request.body?.content ?? {}).some((media) => JSON_MEDIA.test(media))) statuses.add(415);
  statuses.add(431);
  statuses.add(500);
  if (!errors.answersWithoutServices) statuses.add(503);
  return [...statuses].sort((a, b) => a - b);
}

/** `get /sessions/{id}/holds` → `getSessionsByIdHolds`: stable, derived, so links can name it. */
function operationIdOf(method: string, path: string): string {
  const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const words = path
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replace(/^\{(.+)\}$/, (_, name: string) => `by-${name}`))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return method.toLowerCase() + words.map(capital).join('');
}

/**
 * `createRoute` with an operationId and every implied problem response added. The declared
 * responses win over the implied ones, and the type stays the declared one, so handlers are still
 * checked against what they mean to return.
 */
export function documentedRoute<P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(
  config: R,
  errors: RouteErrors = {},
) {
  const implied = Object.fromEntries(
    impliedErrorStatuses(config as RouteConfig, errors).map((status) => [status, problemResponse(status)]),
  );
  const parameters = STATE_CHANGING.has(config.method)
    ? [...(config.parameters ?? []), IDEMPOTENCY_KEY_PARAMETER]
    : config.parameters;
  return createRoute({
    ...config,
    ...(parameters ? { parameters } : {}),
    operationId: config.operationId ?? operationIdOf(config.method, config.path),
    responses: { ...implied, ...config.responses },
  } as R);
}

/** Taken by every state-changing route (api/idempotency.ts), so documented on each. */
const IDEMPOTENCY_KEY_PARAMETER = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: 'header' as const,
  required: false,
  description:
    'Makes the request safe to retry: a repeat of the same request with the same key within 24 h gets the first answer again (header `Idempotent-Replayed: true`) instead of running twice; ' +
    'the same key with another request is 422 `idempotency-key-reused`; while the first still runs, 409 `idempotency-key-in-flight` with Retry-After. Answers 5xx are not kept.',
  schema: { type: 'string' as const, pattern: IDEMPOTENCY_KEY_PATTERN_SOURCE, minLength: 1, maxLength: 255 },
};
