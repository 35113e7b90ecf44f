import { randomUUID } from 'node:crypto';
import { errorChain } from '../contracts/errors.js';
import { PROBLEM_TYPE_PREFIX } from '../contracts/problems.js';
import type { HoldPointResolve, NanocycleCreate, NanocycleMerge } from '../contracts/nanocycle.js';
import type {
  HoldPointRecord,
  LogLine,
  NanocycleDiff,
  NanocycleRecord,
  SessionLogLine,
} from '../contracts/nanocycle-records.js';
import type { Project, ProjectCreate, ProjectUpdate } from '../contracts/project.js';
import type { ReviewDecision, ReviewState, ReviewView } from '../contracts/review.js';
import type { HoldPointBrief, NanocycleBrief } from '../contracts/session-state.js';
import type { Session, SessionCreate } from '../contracts/session.js';
import type { SessionSummary } from '../contracts/summary.js';
import type { TimelineEvent } from '../contracts/timeline.js';
import type {
  Health,
  RecoverResult,
  ServiceStatus,
  SessionWithState,
  SwitchResult,
} from '../contracts/responses.js';
import { ApiProblemError, ApiUnreachableError } from './errors.js';

export interface ApiClientOptions {
  /** Without a trailing slash, e.g. `http://127.0.0.1:8082`. */
  baseUrl: string;
  token: string | undefined;
  fetch?: typeof fetch;
  /** How a retry waits (tests make it instant). */
  sleep?: (ms: number) => Promise<void>;
}

/** A state-changing request is sent at most this often: once, then two retries. */
export const WRITE_ATTEMPTS = 3;
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Socket errors of a connection cut after the request may have reached the API. */
const CUT_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);
/** Never wait longer than this between attempts, whatever Retry-After says: a person is waiting. */
const MAX_RETRY_WAIT_MS = 5000;

interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  accept?: string;
  headers?: Record<string, string>;
  /** Only `/health` goes without the token. */
  auth?: boolean;
  signal?: AbortSignal;
}

export type {
  HoldPointRecord,
  LogLine,
  NanocycleDiff,
  NanocycleRecord,
  SessionLogLine,
} from '../contracts/nanocycle-records.js';

/** Error codes that mean the request never reached a server, as opposed to a server failing. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** fetch hides the socket error in `cause`, sometimes inside an AggregateError (IPv4 and IPv6). */
export function unreachableCode(error: unknown): string | null {
  for (const e of errorChain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return code;
  }
  return null;
}

/** undici names a cut connection by `code` on the cause, or only by its message. */
function cutCode(error: unknown): string | null {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && CUT_CODES.has(code)) return code;
    if (typeof message === 'string' && /other side closed|socket hang up/i.test(message))
      return 'UND_ERR_SOCKET';
  }
  return null;
}

function backoffMs(attempt: number): number {
  return Math.min(500 * 2 ** (attempt - 1), MAX_RETRY_WAIT_MS);
}

/** Retry-After in seconds (the API's form); an HTTP date or nonsense falls back to backoff. */
function retryAfterMs(header: string | null): number | null {
  if (!header || !/^\d+$/.test(header.trim())) return null;
  return Math.min(Number(header) * 1000, MAX_RETRY_WAIT_MS);
}

/** The service a 503 is about, in words. */
function unavailableService(type: string): string {
  if (type === 'database-unavailable') return 'the database is unavailable';
  if (type === 'temporal-unavailable') return 'Temporal is unavailable';
  return 'a service Tevis needs is unavailable';
}

/** A non-problem error body still gets a type, so the exit code and `--json` stay meaningful. */
function fallbackType(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 404) return 'not-found';
  if (status === 503) return 'service-unavailable';
  return status >= 500 ? 'internal' : 'validation';
}

export async function problemFromResponse(response: Response): Promise<ApiProblemError> {
  const text = await response.text().catch(() => '');
  let body: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: a proxy's page or a plain-text error; the status still says enough.
  }
  const rawType = typeof body?.type === 'string' ? body.type : null;
  const type = rawType ? rawType.replace(PROBLEM_TYPE_PREFIX, '') : fallbackType(response.status);
  const detail =
    typeof body?.detail === 'string'
      ? body.detail
      : typeof body?.title === 'string'
        ? body.title
        : text.trim().slice(0, 500) || `HTTP ${response.status} ${response.statusText}`;
  const { type: _t, title: _ti, status: _s, detail: _d, ...extras } = body ?? {};
  return new ApiProblemError(type, response.status, detail, extras);
}

/** The Tevis HTTP API as the CLI uses it; every failure is an ApiProblemError or ApiUnreachableError. */
export class TevisApiClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /**
   * One request. A state-changing one carries an Idempotency-Key made for this call and is sent
   * again with the same key (so it takes effect at most once) when the connection is cut before
   * the answer, or the API answers 503 or "the first request with this key still runs"; after
   * Retry-After, at most {@link WRITE_ATTEMPTS} times in all.
   */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = new URL(this.options.baseUrl + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {
      accept: options.accept ?? 'application/json',
      ...options.headers,
    };
    if (options.auth !== false && this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const retries = STATE_CHANGING.has(method);
    if (retries) headers['idempotency-key'] ??= randomUUID();
    const attempts = retries ? WRITE_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetch(url, {
          method,
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: options.signal,
        });
      } catch (error) {
        if (options.signal?.aborted) throw error;
        // fetch only throws when no HTTP answer came back: the API is not there (or not allowed),
        // or the connection was cut, maybe after the API took the request.
        const cause = (error as { cause?: unknown }).cause;
        const code = unreachableCode(error) ?? cutCode(error);
        if (attempt < attempts && code && CUT_CODES.has(code)) {
          await this.wait(backoffMs(attempt));
          continue;
        }
        const reason = code ?? (cause instanceof Error ? cause.message : (error as Error).message);
        throw new ApiUnreachableError(this.options.baseUrl, reason);
      }
      if (response.ok) return response;
      const problem = await problemFromResponse(response);
      if (attempt < attempts && (problem.status === 503 || problem.type === 'idempotency-key-in-flight')) {
        await this.wait(retryAfterMs(response.headers.get('retry-after')) ?? backoffMs(attempt));
        continue;
      }
      if (problem.status === 401 && !this.options.token) {
        throw new ApiProblemError(
          problem.type,
          401,
          `${problem.detail} (no token found: set TEVIS_API_TOKEN, or TEVIS_HOME to the folder \`tevis up\` uses)`,
          problem.extras,
        );
      }
      if (problem.status === 503) {
        const tried = attempts > 1 ? `tried ${attempts} times; ` : '';
        throw new ApiProblemError(
          problem.type,
          503,
          `${unavailableService(problem.type)}: ${problem.detail} (${tried}it is safe to run the command again)`,
          problem.extras,
        );
      }
      throw problem;
    }
  }

  private wait(ms: number): Promise<void> {
    return (this.options.sleep ?? ((t: number) => new Promise<void>((resolve) => setTimeout(resolve, t))))(
      ms,
    );
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.request(method, path, options);
    return (await response.json()) as T;
  }

  health(): Promise<Health> {
    return this.json('GET', '/health', { auth: false });
  }

  status(): Promise<ServiceStatus> {
    return this.json('GET', '/status');
  }

  createProject(body: ProjectCreate): Promise<Project> {
    return this.json('POST', '/projects', { body });
  }

  async listProjects(): Promise<Project[]> {
    return (await this.json<{ projects: Project[] }>('GET', '/projects')).projects;
  }

  getProject(name: string): Promise<Project> {
    return this.json('GET', `/projects/${encodeURIComponent(name)}`);
  }

  updateProject(name: string, body: ProjectUpdate): Promise<Project> {
    return this.json('PATCH', `/projects/${encodeURIComponent(name)}`, { body });
  }

  createSession(body: SessionCreate): Promise<Session> {
    return this.json('POST', '/sessions', { body });
  }

  async listSessions(filter: { project?: string; all?: boolean }): Promise<Session[]> {
    const query = { project: filter.project, all: filter.all ? 'true' : undefined };
    return (await this.json<{ sessions: Session[] }>('GET', '/sessions', { query })).sessions;
  }

  getSession(id: string): Promise<SessionWithState> {
    return this.json('GET', `/sessions/${encodeURIComponent(id)}`);
  }

  switchSession(id: string): Promise<SwitchResult> {
    return this.json('POST', `/sessions/${encodeURIComponent(id)}/switch`, { body: {} });
  }

  pauseSession(id: string): Promise<Session> {
    return this.json('POST', `/sessions/${encodeURIComponent(id)}/pause`);
  }

  resumeSession(id: string): Promise<Session> {
    return this.json('POST', `/sessions/${encodeURIComponent(id)}/resume`);
  }

  endSession(id: string): Promise<Session> {
    return this.json('POST', `/sessions/${encodeURIComponent(id)}/end`);
  }

  recoverSession(id: string): Promise<RecoverResult> {
    return this.json('POST', `/sessions/${encodeURIComponent(id)}/recover`);
  }

  summary(id: string): Promise<SessionSummary> {
    return this.json('GET', `/sessions/${encodeURIComponent(id)}/summary`);
  }

  async summaryMarkdown(id: string): Promise<string> {
    const response = await this.request('GET', `/sessions/${encodeURIComponent(id)}/summary`, {
      accept: 'text/markdown',
    });
    return response.text();
  }

  async events(id: string, after: number, limit?: number): Promise<TimelineEvent[]> {
    return (
      await this.json<{ events: TimelineEvent[] }>('GET', `/sessions/${encodeURIComponent(id)}/events`, {
        query: { after, limit },
      })
    ).events;
  }

  /** The live timeline; resumes after `lastEventId` (the last sequence number seen). */
  openEventStream(id: string, lastEventId: number, signal?: AbortSignal): Promise<Response> {
    return this.request('GET', `/sessions/${encodeURIComponent(id)}/events/stream`, {
      accept: 'text/event-stream',
      headers: lastEventId > 0 ? { 'last-event-id': String(lastEventId) } : {},
      signal,
    });
  }

  private nanocyclePath(sessionId: string, nanocycleId?: string): string {
    const base = `/sessions/${encodeURIComponent(sessionId)}/nanocycles`;
    return nanocycleId === undefined ? base : `${base}/${encodeURIComponent(nanocycleId)}`;
  }

  createNanocycle(sessionId: string, body: NanocycleCreate): Promise<NanocycleBrief> {
    return this.json('POST', this.nanocyclePath(sessionId), { body });
  }

  async listNanocycles(sessionId: string): Promise<NanocycleRecord[]> {
    return (await this.json<{ nanocycles: NanocycleRecord[] }>('GET', this.nanocyclePath(sessionId)))
      .nanocycles;
  }

  nanocycleDiff(sessionId: string, nanocycleId: string): Promise<NanocycleDiff> {
    return this.json('GET', `${this.nanocyclePath(sessionId, nanocycleId)}/diff`);
  }

  cancelNanocycle(sessionId: string, nanocycleId: string): Promise<NanocycleBrief> {
    return this.json('POST', `${this.nanocyclePath(sessionId, nanocycleId)}/cancel`);
  }

  review(sessionId: string): Promise<ReviewView> {
    return this.json('GET', `/sessions/${encodeURIComponent(sessionId)}/review`);
  }

  decideReview(
    sessionId: string,
    decision: 'approve' | 'reject',
    body: ReviewDecision,
  ): Promise<ReviewState> {
    return this.json('POST', `/sessions/${encodeURIComponent(sessionId)}/review/${decision}`, { body });
  }

  mergeNanocycle(sessionId: string, nanocycleId: string, body: NanocycleMerge = {}): Promise<NanocycleBrief> {
    return this.json('POST', `${this.nanocyclePath(sessionId, nanocycleId)}/merge`, { body });
  }

  async nanocycleLogs(
    sessionId: string,
    nanocycleId: string,
    after: number,
    limit?: number,
  ): Promise<LogLine[]> {
    return (
      await this.json<{ lines: LogLine[] }>('GET', `${this.nanocyclePath(sessionId, nanocycleId)}/logs`, {
        query: { after, limit },
      })
    ).lines;
  }

  /** The nanocycle's output live; resumes after `lastEventId` (the last line's seq). */
  openLogStream(
    sessionId: string,
    nanocycleId: string,
    lastEventId: number,
    signal?: AbortSignal,
  ): Promise<Response> {
    return this.request('GET', `${this.nanocyclePath(sessionId, nanocycleId)}/logs/stream`, {
      accept: 'text/event-stream',
      headers: lastEventId > 0 ? { 'last-event-id': String(lastEventId) } : {},
      signal,
    });
  }

  /** Every nanocycle's output after `after` (an output cursor, `NC-001:12,…`; '' from the start). */
  sessionOutput(
    sessionId: string,
    after: string,
    limit?: number,
  ): Promise<{ lines: SessionLogLine[]; cursor: string }> {
    return this.json('GET', `/sessions/${encodeURIComponent(sessionId)}/output`, {
      query: { after: after || undefined, limit },
    });
  }

  /** The session's output live; resumes after the output cursor `lastEventId`. */
  openOutputStream(sessionId: string, lastEventId: string, signal?: AbortSignal): Promise<Response> {
    return this.request('GET', `/sessions/${encodeURIComponent(sessionId)}/output/stream`, {
      accept: 'text/event-stream',
      headers: lastEventId ? { 'last-event-id': lastEventId } : {},
      signal,
    });
  }

  async listHoldPoints(sessionId: string): Promise<HoldPointRecord[]> {
    return (
      await this.json<{ holdPoints: HoldPointRecord[] }>(
        'GET',
        `/sessions/${encodeURIComponent(sessionId)}/holds`,
      )
    ).holdPoints;
  }

  resolveHoldPoint(
    sessionId: string,
    holdPointId: string,
    decision: 'approve' | 'reject',
    body: HoldPointResolve,
  ): Promise<HoldPointBrief> {
    return this.json(
      'POST',
      `/sessions/${encodeURIComponent(sessionId)}/holds/${encodeURIComponent(holdPointId)}/${decision}`,
      { body },
    );
  }
}
