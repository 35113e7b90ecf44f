// @ts-check
/**
 * Follows a Server-Sent Events stream read with fetch (an EventSource cannot send the token).
 * When the connection drops — the API restarted, the network blinked — it reconnects with the
 * last event id it saw, so the server sends exactly what was missed. Refusals that a reconnect
 * cannot change (bad token, unknown session) end it.
 *
 * @typedef {{ id: string | null, event: string, data: string }} StreamMessage
 * @param {{
 *   open: (lastEventId: string | null, signal: AbortSignal) => Promise<Response>,
 *   onMessage: (message: StreamMessage) => void,
 *   onState?: (state: 'live' | 'reconnecting' | 'stopped', detail?: string) => void,
 *   signal: AbortSignal,
 * }} options
 */
export async function followEventStream(options) {
  /** @type {string | null} */
  let lastEventId = null;
  let delay = 500;
  while (!options.signal.aborted) {
    try {
      const response = await options.open(lastEventId, options.signal);
      options.onState?.('live');
      delay = 500;
      const reader = /** @type {ReadableStream<Uint8Array>} */ (response.body).getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message = parseBlock(block);
          if (!message) continue;
          if (message.id !== null) lastEventId = message.id;
          options.onMessage(message);
        }
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

/** @param {string} block @returns {StreamMessage | null} */
function parseBlock(block) {
  /** @type {string | null} */
  let id = null;
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { id, event, data: data.join('\n') } : null;
}
