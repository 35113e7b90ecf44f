// @ts-check
import { createParser } from '/web/eventsource-parser.js';

/**
 * Follows a Server-Sent Events stream read with fetch (an EventSource cannot send the token),
 * parsed by eventsource-parser. When the connection drops — the API restarted, the network
 * blinked — it reconnects with the last event id it saw, so the server sends exactly what was
 * missed. Refusals that a reconnect cannot change (bad token, unknown session) end it, and so
 * does the end of what it follows: the server's last `end` event, or a 204 on reconnecting.
 *
 * @typedef {{ id: string | null, event: string, data: string }} StreamMessage
 * @param {{
 *   open: (lastEventId: string | null, signal: AbortSignal) => Promise<Response>,
 *   onMessage: (message: StreamMessage) => void,
 *   onState?: (state: 'live' | 'reconnecting' | 'stopped' | 'ended', detail?: string) => void,
 *   signal: AbortSignal,
 * }} options
 */
export async function followEventStream(options) {
  /** @type {string | null} */
  let lastEventId = null;
  let delay = 500;
  /** @type {string | null} */
  let ended = null;
  const parser = createParser({
    onEvent(/** @type {{ id?: string, event?: string, data: string }} */ message) {
      if (message.event === 'end') {
        ended = String(JSON.parse(message.data).reason ?? 'over');
        return;
      }
      if (message.id) lastEventId = message.id;
      options.onMessage({ id: message.id ?? null, event: message.event ?? 'message', data: message.data });
    },
  });
  while (!options.signal.aborted) {
    try {
      const response = await options.open(lastEventId, options.signal);
      if (response.status === 204) ended ??= 'over';
      if (ended !== null) {
        options.onState?.('ended', ended);
        return;
      }
      options.onState?.('live');
      delay = 500;
      parser.reset();
      const reader = /** @type {ReadableStream<Uint8Array>} */ (response.body).getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
      if (ended !== null) {
        options.onState?.('ended', ended);
        return;
      }
    } catch (error) {
      if (options.signal.aborted) return;
      const status = /** @type {{ status?: number }} */ (error).status ?? 0;
      if (status >= 400 && status < 500) {
        options.onState?.('stopped', /** @type {Error} */ (error).message);
        return;
      }
    }
    if (options.signal.aborted) return;
    options.onState?.('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 8000);
  }
}
