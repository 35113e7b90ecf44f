// @ts-check
import { createParser } from '/web/eventsource-parser.js';

/**
 * Follows a Server-Sent Events stream read with fetch (an EventSource cannot send the token),
 * parsed by eventsource-parser. When the connection drops — the API restarted, the network
 * blinked — it reconnects with the last event id it saw, so the server sends exactly what was
 * missed. Refusals that a reconnect cannot change (bad token, unknown session) end it, and so
 * does the end of what it follows: the server's last `end` event, or a 204 on reconnecting.
 *
 * The signal is the owner's view: once it aborts, the connection is closed (an open still on
 * its way is cancelled with it), nothing more is handed on — no message, no state — and no
 * reconnect is tried, so a stream never outlives the view that opened it.
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
      if (options.signal.aborted) return;
      if (message.id) lastEventId = message.id;
      options.onMessage({ id: message.id ?? null, event: message.event ?? 'message', data: message.data });
    },
  });
  /** @param {'live' | 'reconnecting' | 'stopped' | 'ended'} state @param {string} [detail] */
  const onState = (state, detail) => {
    if (!options.signal.aborted) options.onState?.(state, detail);
  };
  while (!options.signal.aborted) {
    try {
      const response = await options.open(lastEventId, options.signal);
      if (options.signal.aborted) {
        // Opened just as the view went away: close it rather than read it.
        await response.body?.cancel().catch(() => {});
        return;
      }
      if (response.status === 204) ended ??= 'over';
      if (ended !== null) {
        onState('ended', ended);
        return;
      }
      onState('live');
      delay = 500;
      parser.reset();
      const reader = /** @type {ReadableStream<Uint8Array>} */ (response.body).getReader();
      const decoder = new TextDecoder();
      const close = () => void reader.cancel().catch(() => {});
      options.signal.addEventListener('abort', close, { once: true });
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done || options.signal.aborted) break;
          parser.feed(decoder.decode(value, { stream: true }));
        }
      } finally {
        options.signal.removeEventListener('abort', close);
      }
      if (options.signal.aborted) return;
      if (ended !== null) {
        onState('ended', ended);
        return;
      }
    } catch (error) {
      if (options.signal.aborted) return;
      const status = /** @type {{ status?: number }} */ (error).status ?? 0;
      if (status >= 400 && status < 500) {
        onState('stopped', /** @type {Error} */ (error).message);
        return;
      }
    }
    if (options.signal.aborted) return;
    onState('reconnecting');
    await sleep(delay, options.signal);
    delay = Math.min(delay * 2, 8000);
  }
}

/** Waits `ms`, or less when the signal aborts first. */
function sleep(/** @type {number} */ ms, /** @type {AbortSignal} */ signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve(undefined);
    }
  });
}
