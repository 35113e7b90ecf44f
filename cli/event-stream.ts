import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { STREAM_END_EVENT } from '../contracts/stream-end.js';
import type { TimelineEvent } from '../contracts/timeline.js';
import type { TevisApiClient } from './api-client.js';
import { ApiProblemError, ApiUnreachableError } from './errors.js';

export interface FollowStreamOptions<T> {
  /** The last sequence number already shown; the stream starts after it. */
  after: number;
  /** Return true to stop following (e.g. the session ended). */
  // biome-ignore lint/suspicious/noConfusingVoidType: most callers never stop, and a callback that returns nothing is void, not undefined
  onEvent(item: T): boolean | void;
  /** Told when the connection dropped and a new one is about to be made. */
  onReconnect?(reason: string, delayMs: number): void;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const MAX_RETRY_MS = 10_000;

export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    // The listener goes when the timer fires too: a long follow sleeps thousands of times.
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Refusals that a reconnect cannot change (unknown session, bad token); 503 is worth retrying. */
export function isFinal(error: unknown): boolean {
  return error instanceof ApiProblemError && error.status !== null && error.status < 500;
}

export type FollowEventsOptions = FollowStreamOptions<TimelineEvent>;

/** Opens the stream anew, resuming after `lastEventId` (0: from the start). */
export type OpenSequencedStream = (lastEventId: number, signal: AbortSignal) => Promise<Response>;

/**
 * Follows GET /sessions/:id/events/stream, reconnecting with `Last-Event-ID` when the
 * connection drops (API restarted, network blip), so every event is shown once and in order.
 */
export function followEventStream(
  client: TevisApiClient,
  sessionId: string,
  options: FollowEventsOptions,
): Promise<void> {
  return followSequencedStream<TimelineEvent>(
    (lastEventId, signal) => client.openEventStream(sessionId, lastEventId, signal),
    options,
  );
}

/**
 * Follows any SSE stream whose items carry a per-stream `seq` that is also the SSE id (timeline
 * events, a nanocycle's log lines): reconnects with `Last-Event-ID` after a drop and passes each
 * item on once, in order, whatever the server replays.
 */
export function followSequencedStream<T extends { seq: number }>(
  open: OpenSequencedStream,
  options: FollowStreamOptions<T>,
): Promise<void> {
  return followResumableStream<T, number>(open, {
    ...options,
    start: options.after,
    advance: (cursor, item) => (item.seq <= cursor ? null : item.seq),
  });
}

export interface FollowResumableOptions<T, C> extends Omit<FollowStreamOptions<T>, 'after'> {
  /** Where to start: the position after everything already shown. */
  start: C;
  /** The position after `item`, or null when `item` was seen already (a replay after a restart). */
  advance(cursor: C, item: T): C | null;
}

/**
 * The reconnect loop behind every follower: opens the stream at the last position, passes each
 * new item on once, and after a drop waits (the server's `retry:`, backing off while it is away)
 * and opens it again from where it got to. A refusal (4xx) ends it with that error.
 */
export async function followResumableStream<T, C>(
  open: (cursor: C, signal: AbortSignal) => Promise<Response>,
  options: FollowResumableOptions<T, C>,
): Promise<void> {
  const sleep = options.sleep ?? abortableDelay;
  let cursor = options.start;
  let retryMs = 1000;
  let failures = 0;
  let stopped = false;

  while (!stopped && !options.signal?.aborted) {
    const connection = new AbortController();
    const stopConnection = () => connection.abort();
    options.signal?.addEventListener('abort', stopConnection, { once: true });
    try {
      const response = await open(cursor, connection.signal);
      failures = 0;
      // What the stream follows is over and nothing is left after the cursor.
      if (response.status === 204) break;
      const parser = createParser({
        onRetry: (ms) => (retryMs = Math.min(ms, MAX_RETRY_MS)),
        onEvent: (message: EventSourceMessage) => {
          if (stopped) return;
          // The server's last word before it closes: over, do not reconnect.
          if (message.event === STREAM_END_EVENT) {
            stopped = true;
            return;
          }
          const item = JSON.parse(message.data) as T;
          // The server promises no duplicates; this keeps the promise even across its restarts.
          const next = options.advance(cursor, item);
          if (next === null) return;
          cursor = next;
          if (options.onEvent(item) === true) {
            stopped = true;
            connection.abort();
          }
        },
      });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
        // Done (the caller's last item, or the server's end): read no further. A body the server
        // has already closed may never settle another read once the connection is aborted.
        if (stopped) {
          void reader.cancel().catch(() => {});
          break;
        }
      }
      if (!stopped && !options.signal?.aborted) options.onReconnect?.('the API closed the stream', retryMs);
    } catch (error) {
      if (stopped || options.signal?.aborted) break;
      if (isFinal(error)) throw error;
      failures++;
      const delayMs = Math.min(retryMs * 2 ** Math.min(failures - 1, 4), MAX_RETRY_MS);
      const reason =
        error instanceof ApiUnreachableError
          ? `no API at ${error.apiUrl}`
          : `connection lost (${(error as Error).message})`;
      options.onReconnect?.(reason, delayMs);
      await sleep(delayMs, options.signal);
      continue;
    } finally {
      options.signal?.removeEventListener('abort', stopConnection);
    }
    if (!stopped) await sleep(retryMs, options.signal);
  }
}
