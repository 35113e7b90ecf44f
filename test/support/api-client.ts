import type { HoldPointRecord, LogLine, NanocycleRecord } from '../../contracts/nanocycle-records.js';
import type { SessionWithState } from '../../contracts/responses.js';
import type { Session } from '../../contracts/session.js';
import type { TimelineEvent } from '../../contracts/timeline.js';
import { TevisApiClient } from '../../cli/api-client.js';
import { type ApiReply, type CallOptions, readReply, requestInit } from './api-reply.js';
import { type WaitOptions, waitFor } from './poll.js';

/** Nanocycle states nothing leaves. */
const FINAL_NANOCYCLE_STATES = ['failed', 'rejected', 'cancelled', 'merged'];

/**
 * The one HTTP client of the test kit, for a stack in this process (`tevis-harness.ts`) or in
 * child processes (`processes.ts`). `call` sends exactly what a case says and returns the raw
 * reply (bad input, wrong tokens, status codes); `typed` is the CLI's own client
 * (`cli/api-client.ts`) for reads and writes whose answer a test only uses, typed by `contracts/`.
 */
export class ApiClient {
  readonly typed: TevisApiClient;

  constructor(
    readonly url: string,
    readonly token: string,
    /** How a request is sent: `fetch` for a listening API, `app.request` for one in this process. */
    private readonly send: (url: string, init: RequestInit) => Promise<Response> = (url, init) =>
      fetch(url, { ...init, signal: AbortSignal.timeout(60_000) }),
  ) {
    this.typed = new TevisApiClient({
      baseUrl: url,
      token,
      fetch: ((input: string | URL | Request, init?: RequestInit) =>
        this.send(String(input), init ?? {})) as typeof fetch,
    });
  }

  /**
   * One request with the token. An object body goes as JSON; a string, Buffer or Uint8Array body
   * goes as it is (content type from `options.contentType`).
   */
  async call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    options: CallOptions = {},
  ): Promise<ApiReply<T>> {
    return readReply<T>(await this.send(this.url + path, requestInit(method, body, options, this.token)));
  }

  /** The body when the status is `expected`; otherwise an error that shows what came back. */
  async ok<T = any>(method: string, path: string, body?: unknown, expected = 200): Promise<T> {
    const reply = await this.call<T>(method, path, body);
    if (reply.status !== expected)
      throw new Error(`${method} ${path}: expected ${expected}, got ${reply.status}: ${reply.text}`);
    return reply.json;
  }

  session(id: string): Promise<SessionWithState> {
    return this.typed.getSession(id);
  }

  events(id: string): Promise<TimelineEvent[]> {
    return this.typed.events(id, 0);
  }

  nanocycles(sessionId: string): Promise<NanocycleRecord[]> {
    return this.typed.listNanocycles(sessionId);
  }

  holdPoints(sessionId: string): Promise<HoldPointRecord[]> {
    return this.typed.listHoldPoints(sessionId);
  }

  logLines(sessionId: string, nanocycleId: string): Promise<LogLine[]> {
    return this.typed.nanocycleLogs(sessionId, nanocycleId, 0);
  }

  /**
   * Waits until nanocycle `nc` is in one of the `wanted` states. One that ends in another final
   * state (failed, rejected, cancelled, merged) can never get there: that ends the wait at once.
   */
  waitForNanocycle(
    sessionId: string,
    nc: string,
    wanted: string[],
    options: WaitOptions = {},
  ): Promise<NanocycleRecord> {
    return waitFor(
      `${nc} to be ${wanted.join(' or ')}`,
      async () => {
        const row = (await this.nanocycles(sessionId)).find((n) => n.id === nc);
        if (row && FINAL_NANOCYCLE_STATES.includes(row.status) && !wanted.includes(row.status))
          throw Object.assign(new Error(`${nc} is ${row.status}: ${JSON.stringify(row.data)}`), {
            fatal: true,
          });
        return row && wanted.includes(row.status) ? row : undefined;
      },
      options,
    );
  }

  /** Waits for a pending hold point of `kind` (merge, plan, conflict) and returns it. */
  waitForPendingHold(sessionId: string, kind: string, options: WaitOptions = {}): Promise<HoldPointRecord> {
    return waitFor(
      `a pending ${kind} hold point`,
      async () =>
        (await this.holdPoints(sessionId)).find((hp) => hp.kind === kind && hp.status === 'pending'),
      options,
    );
  }

  /** Polls GET /sessions/:id until `done(reply)` holds; a session that fails ends the wait at once. */
  waitForSession(
    id: string,
    done: (session: SessionWithState) => boolean,
    what = 'the session',
    options: WaitOptions = {},
  ): Promise<SessionWithState> {
    return waitFor(
      `${what} (${id})`,
      async () => {
        const reply = await this.call<SessionWithState>('GET', `/sessions/${id}`);
        if (reply.status !== 200)
          throw new Error(`GET /sessions/${id} answered ${reply.status}: ${reply.text}`);
        if (reply.json.session.status === 'failed' && !done(reply.json)) {
          throw Object.assign(new Error(`session ${id} failed: ${reply.json.session.failure}`), {
            fatal: true,
          });
        }
        return done(reply.json) ? reply.json : undefined;
      },
      options,
    );
  }

  /** Waits for the record to reach `status` (and fails at once on `failed` when not wanted). */
  async waitForStatus(id: string, status: Session['status'], options: WaitOptions = {}): Promise<Session> {
    const reply = await this.waitForSession(
      id,
      (s) => s.session.status === status,
      `status ${status}`,
      options,
    );
    return reply.session;
  }

  /** Waits until the workflow answers the state query (`live: true`). */
  waitForLive(id: string, options: WaitOptions = {}): Promise<SessionWithState> {
    return waitFor(
      `session ${id} to answer live`,
      async () => {
        const reply = await this.call<SessionWithState>('GET', `/sessions/${id}`);
        return reply.status === 200 && reply.json.state?.live === true ? reply.json : undefined;
      },
      options,
    );
  }
}
