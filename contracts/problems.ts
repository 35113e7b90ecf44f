/**
 * Stable problem types (RFC 9457). Clients match on `type`; titles are for people. Adding a type
 * is fine, renaming one breaks scripts.
 */
export const PROBLEM_TYPES = {
  validation: { status: 400, title: 'The request is not valid' },
  /** A value the database cannot hold got past validation; nothing was recorded. */
  unrecordable: { status: 400, title: 'The request holds a value that cannot be recorded' },
  unauthorized: { status: 401, title: 'A valid API token is required' },
  /** A browser page of another origin tried to change something; the API takes no ambient credentials. */
  'cross-origin-refused': {
    status: 403,
    title: "Requests that change state must come from the API's own origin",
  },
  'capability-not-allowed': { status: 403, title: 'This session type does not allow that action' },
  'path-outside-workspace': { status: 403, title: 'The path is outside the session workspace' },
  'not-found': { status: 404, title: 'Not found' },
  'project-not-found': { status: 404, title: 'No such project' },
  'session-not-found': { status: 404, title: 'No such session' },
  'file-not-found': { status: 404, title: 'No such file in the workspace' },
  'plan-not-found': { status: 404, title: 'The session has no plan (or no such plan version)' },
  'project-exists': { status: 409, title: 'A project with that name already exists' },
  'session-conflict': { status: 409, title: 'Another session of the project is active' },
  'invalid-transition': { status: 409, title: 'The session cannot do that in its current status' },
  'session-not-running': { status: 409, title: 'The session workflow is not running' },
  /** A goal nanocycle in a session whose project has no agent command: nothing could run it. */
  'agent-not-configured': { status: 409, title: 'The session has no agent command to run a goal' },
  'no-previous-session': { status: 409, title: 'The project has no earlier session to copy' },
  'summary-not-ready': { status: 409, title: 'The session has no summary yet' },
  /** Nanocycle names are unique within a session; the problem names the one that has it. */
  'nanocycle-name-taken': { status: 409, title: 'The session already has a nanocycle of that name' },
  /** The first request with this Idempotency-Key is still running; retry after Retry-After. */
  'idempotency-key-in-flight': { status: 409, title: 'A request with this Idempotency-Key is still running' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': {
    status: 415,
    title: 'The request body is not of a media type this route takes',
  },
  /** The same Idempotency-Key came with another request (method, path, query or body). */
  'idempotency-key-reused': { status: 422, title: 'This Idempotency-Key was used for another request' },
  'headers-too-large': { status: 431, title: 'The request headers are too large' },
  'service-unavailable': { status: 503, title: 'A service Tevis depends on is unavailable' },
  /** Postgres refused or did not answer; nothing was changed, the request may be sent again. */
  'database-unavailable': { status: 503, title: 'The database is unavailable' },
  /** The Temporal frontend did not answer in time; nothing was changed, the request may be sent again. */
  'temporal-unavailable': { status: 503, title: 'Temporal is unavailable' },
  internal: { status: 500, title: 'Internal error' },
} as const;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export const PROBLEM_TYPE_PREFIX = 'urn:tevis:problem:';

export function problemTypeUri(type: ProblemType): string {
  return PROBLEM_TYPE_PREFIX + type;
}
