import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { STREAM_END_EVENT } from '../../contracts/stream-end.js';
import { waitFor } from './poll.js';

export interface SseClient<T> {
  status: number;
  contentType: string | null;
  messages: EventSourceMessage[];
  /** The data of every message but the server's last `end`, parsed. */
  items: T[];
  /** The reason of the server's `end` event, once it came. */
  endReason(): string | null;
  /** True once the server closed the stream (not this client). */
  closedByServer(): boolean;
  /** Waits (up to the hang timeout) until `done(items)`; fails at once if the stream broke. */
  until(what: string, done: (items: T[]) => boolean): Promise<void>;
  /** Drops the connection, as a client going away would. */
  close(): Promise<void>;
}

/**
 * A small SSE client over fetch's body stream, for tests of the API's streams. With `dropAfter`
 * it goes away right after that many messages, losing whatever else was already buffered.
 */
export async function openSse<T>(
  url: string,
  options: { token: string; lastEventId?: string; dropAfter?: number },
): Promise<SseClient<T>> {
  const controller = new AbortController();
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.token}`,
    accept: 'text/event-stream',
  };
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  const response = await fetch(url, { headers, signal: controller.signal });
  const messages: EventSourceMessage[] = [];
  const items: T[] = [];
  let failure: unknown;
  let dropped = false;
  let closing = false;
  let endReason: string | null = null;
  let closedByServer = false;
  const parser = createParser({
    onEvent(message) {
      if (dropped) return;
      messages.push(message);
      if (message.event === STREAM_END_EVENT) {
        endReason = (JSON.parse(message.data) as { reason: string }).reason;
        return;
      }
      items.push(JSON.parse(message.data) as T);
      if (options.dropAfter !== undefined && items.length >= options.dropAfter) {
        dropped = true;
        closing = true;
        controller.abort();
      }
    },
    onError(error) {
      failure = error;
    },
  });
  const pump = (async () => {
    if (!response.ok || !response.body) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          closedByServer = !closing;
          break;
        }
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch (error) {
      if (!closing) failure = error;
    }
  })();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    messages,
    items,
    endReason: () => endReason,
    closedByServer: () => closedByServer,
    async until(what, done) {
      await waitFor(what, () => {
        if (failure) throw Object.assign(new Error(`the stream failed: ${String(failure)}`), { fatal: true });
        return done(items);
      });
    },
    async close() {
      closing = true;
      controller.abort();
      await pump;
    },
  };
}
