import type { SessionLogLine } from '../contracts/nanocycle-records.js';
import { advanceOutputCursor, formatOutputCursor, type OutputCursor } from '../contracts/output-cursor.js';
import type { TevisApiClient } from './api-client.js';
import { abortableDelay, followResumableStream, isFinal } from './event-stream.js';

/** Session statuses after which no nanocycle of it prints again. */
const OVER: readonly string[] = ['ended', 'failed'];

const PAGE = 1000;

const advance = (cursor: OutputCursor, line: SessionLogLine): OutputCursor | null => {
  const next = advanceOutputCursor(cursor, line);
  return next === cursor ? null : next;
};

/** Every line after `after`, page by page (GET …/output); returns the cursor after the last. */
export async function readSessionOutput(client: TevisApiClient, sessionId: string, after: OutputCursor, onLine: (line: SessionLogLine) => void): Promise<OutputCursor> {
  let cursor = after;
  for (;;) {
    const page = await client.sessionOutput(sessionId, formatOutputCursor(cursor), PAGE);
    for (const line of page.lines) {
      const next = advance(cursor, line);
      if (next === null) continue;
      cursor = next;
      onLine(line);
    }
    if (page.lines.length === 0) return cursor;
  }
}

export interface FollowSessionOutputOptions {
  onLine(line: SessionLogLine): void;
  onReconnect?(reason: string, delayMs: number): void;
  /** How often the session's status is checked beside the stream. */
  pollMs?: number;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Follows the output of all a session's nanocycles over SSE (resuming by output cursor after a
 * drop) while it checks the session's status. Once the session has ended the stream is closed
 * and what it had not delivered yet is read by page, so the last lines are never lost. Returns
 * the session's final status, or null when stopped by the signal first.
 */
export async function followSessionOutput(client: TevisApiClient, sessionId: string, options: FollowSessionOutputOptions): Promise<string | null> {
  const sleep = options.sleep ?? abortableDelay;
  const streaming = new AbortController();
  const stopStreaming = () => streaming.abort();
  options.signal?.addEventListener('abort', stopStreaming, { once: true });

  let cursor: OutputCursor = {};
  const emit = (line: SessionLogLine) => {
    const next = advance(cursor, line);
    if (next === null) return;
    cursor = next;
    options.onLine(line);
  };
  let ended: string | null = null;
  let failure: unknown = null;

  const watch = async () => {
    while (!streaming.signal.aborted) {
      try {
        const { session } = await client.getSession(sessionId);
        if (OVER.includes(session.status)) {
          ended = session.status;
          streaming.abort();
          return;
        }
      } catch (error) {
        if (isFinal(error)) {
          failure = error;
          streaming.abort();
          return;
        }
        // The API is away for now: the stream reconnects on its own; keep checking.
      }
      await sleep(options.pollMs ?? 2000, streaming.signal);
    }
  };

  const stream = followResumableStream<SessionLogLine, OutputCursor>((at, signal) => client.openOutputStream(sessionId, formatOutputCursor(at), signal), {
    start: {},
    advance,
    onEvent: emit,
    onReconnect: options.onReconnect,
    signal: streaming.signal,
    sleep,
  }).catch((error: unknown) => {
    failure ??= error;
    streaming.abort();
  });

  try {
    await Promise.all([watch(), stream]);
  } finally {
    options.signal?.removeEventListener('abort', stopStreaming);
  }
  if (failure) throw failure;
  if (!ended || options.signal?.aborted) return null;
  await readSessionOutput(client, sessionId, cursor, emit);
  return ended;
}
