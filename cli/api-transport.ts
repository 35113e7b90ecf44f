import { randomUUID } from 'node:crypto';
import { CUT_CODES, cutCode, unreachableCode } from './connection-failure.js';
import { ApiProblemError, ApiUnreachableError } from './errors.js';
import { problemFromResponse, unavailableService } from './problem-from-response.js';
import { backoffMs, retryAfterMs, STATE_CHANGING, WRITE_ATTEMPTS } from './write-retry.js';

export interface ApiClientOptions {
  /** Without a trailing slash, e.g. `http://127.0.0.1:8082`. */
  baseUrl: string;
  token: string | undefined;
  fetch?: typeof fetch;
  /** How a retry waits (tests make it instant). */
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  accept?: string;
  headers?: Record<string, string>;
  /** Only `/health` goes without the token. */
  auth?: boolean;
  signal?: AbortSignal;
}

/** Requests to the Tevis HTTP API; every failure is an ApiProblemError or ApiUnreachableError. */
export class ApiTransport {
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
}
