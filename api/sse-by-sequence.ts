import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { TevisError } from '../contracts/errors.js';
import { MAX_INT4, isSequenceNumber } from '../contracts/storable.js';
import { STREAM_END_EVENT } from '../contracts/stream-end.js';
import type { OpenDatabase } from '../db/database.js';

/** A quiet stream still gets a comment now and then, so proxies keep it open. */
const KEEPALIVE_MS = 15_000;
/** Belt and braces under LISTEN/NOTIFY: a lost notification delays an item by at most this. */
const SAFETY_POLL_MS = 5_000;
const BATCH = 500;

/**
 * The safety poll's period: `TEVIS_STREAM_POLL_MS` when set, 0 turning it off so that streams
 * wake on NOTIFY alone (test/integration/api-instances.test.ts proves that way that a stream
 * served by one API instance hears what another wrote, not just its own next poll).
 */
export function safetyPollMs(env: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(env.TEVIS_STREAM_POLL_MS);
  return env.TEVIS_STREAM_POLL_MS?.trim() && Number.isInteger(asked) && asked >= 0 ? asked : SAFETY_POLL_MS;
}

export interface CursorSource<T, C> {
  sessionId: string;
  /** Where the client is (from Last-Event-ID); items after it are sent. */
  after: C;
  read(after: C, limit: number): Promise<T[]>;
  /** The cursor once `item` has been sent. */
  advance(cursor: C, item: T): C;
  /** The SSE `id` a client sends back as Last-Event-ID to resume after `cursor`. */
  idOf(cursor: C): string;
  eventOf(item: T): { event: string; data: string };
  /**
   * Why nothing more will come (e.g. "session ended"), or null while more may. Asked when a read
   * found nothing new, and followed by one more read, so everything written before the answer is
   * still sent before the stream ends.
   */
  finished?(): Promise<string | null>;
}

/**
 * Streams rows the database orders by a cursor (timeline events by sequence, log lines by
 * per-nanocycle seq) as SSE with the cursor as the event id. It subscribes before its first read
 * and always reads from the table after the cursor, so a client resuming with Last-Event-ID gets
 * every item once, in order, no gaps.
 */
export async function streamByCursor<T, C>(
  c: Context,
  database: OpenDatabase,
  source: CursorSource<T, C>,
): Promise<Response> {
  // Over and nothing left to send: 204, which tells an EventSource to stop reconnecting.
  if (
    source.finished &&
    (await source.finished()) !== null &&
    (await source.read(source.after, 1)).length === 0
  )
    return c.body(null, 204);
  return streamSSE(c, async (stream) => {
    let cursor = source.after;
    let wake: (() => void) | null = null;
    let pending = true;
    let finished = false;
    const signal = () => {
      pending = true;
      wake?.();
    };
    const unsubscribe = database.onEvent((sessionId) => {
      if (sessionId === source.sessionId || sessionId === '') signal();
    });
    const pollMs = safetyPollMs();
    const poll = pollMs > 0 ? setInterval(signal, pollMs) : undefined;
    const keepalive = setInterval(() => void stream.write(': keepalive\n\n'), KEEPALIVE_MS);
    stream.onAbort(() => signal());
    const sendAfterCursor = async (): Promise<number> => {
      let sent = 0;
      for (;;) {
        const batch = await source.read(cursor, BATCH);
        for (const item of batch) {
          const { event, data } = source.eventOf(item);
          cursor = source.advance(cursor, item);
          await stream.writeSSE({ id: source.idOf(cursor), event, data });
        }
        sent += batch.length;
        if (batch.length < BATCH || stream.aborted) return sent;
      }
    };
    try {
      while (!stream.aborted && !finished) {
        if (!pending) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        pending = false;
        // What woke the stream is sent first, with one read: whether the stream is over is asked
        // only after, on a pass that found nothing new, so a line is not held up by that question.
        if ((await sendAfterCursor()) > 0) {
          pending = true;
          continue;
        }
        const over = source.finished ? await source.finished() : null;
        if (over !== null && !stream.aborted) {
          // Everything written before the answer is still sent before the end.
          await sendAfterCursor();
          if (!stream.aborted)
            await stream.writeSSE({ event: STREAM_END_EVENT, data: JSON.stringify({ reason: over }) });
          finished = true;
        }
      }
    } finally {
      unsubscribe();
      clearInterval(poll);
      clearInterval(keepalive);
    }
  });
}

export interface SequencedSource<T> {
  sessionId: string;
  /** The last sequence number the client has (Last-Event-ID); items after it are sent. */
  after: number;
  read(after: number, limit: number): Promise<T[]>;
  seqOf(item: T): number;
  eventOf(item: T): { event: string; data: string };
  finished?(): Promise<string | null>;
}

/** {@link streamByCursor} over one per-session sequence number, which is also the event id. */
export function streamBySequence<T>(
  c: Context,
  database: OpenDatabase,
  source: SequencedSource<T>,
): Promise<Response> {
  return streamByCursor<T, number>(c, database, {
    ...source,
    advance: (_cursor, item) => source.seqOf(item),
    idOf: (cursor) => String(cursor),
  });
}

/**
 * `Last-Event-ID` when the client sent a valid one, else `?after=`, else 0. A whole number
 * beyond what the sequence column holds is refused (400) rather than reaching the database.
 */
export function resumeFrom(c: Context, after: number | undefined): number {
  const header = c.req.header('last-event-id')?.trim();
  if (header && /^\d+$/.test(header)) {
    const lastEventId = Number(header);
    if (!isSequenceNumber(lastEventId))
      throw new TevisError(
        'validation',
        `Last-Event-ID ${header.slice(0, 40)} is beyond the largest sequence number (${MAX_INT4})`,
      );
    return lastEventId;
  }
  return after ?? 0;
}
