import pg from 'pg';

/** Written with pg_notify in the same transaction as the event, so nobody hears of an uncommitted one. */
export const EVENTS_CHANNEL = 'tevis_events';

/**
 * Keeps one LISTEN connection to Postgres and re-establishes it after the server restarts.
 * Notifications only say "this session has new events"; readers always fetch from the table by
 * sequence number, so a notification lost during a reconnect costs latency, never an event.
 */
export function listenForEvents(url: string): {
  add(listener: (sessionId: string) => void): () => void;
  close(): Promise<void>;
} {
  const listeners = new Set<(sessionId: string) => void>();
  let client: pg.Client | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;

  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({ connectionString: url });
    next.on('error', () => scheduleReconnect(next));
    next.on('end', () => scheduleReconnect(next));
    next.on('notification', (message) => {
      if (message.channel !== EVENTS_CHANNEL || !message.payload) return;
      for (const listener of listeners) listener(message.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${EVENTS_CHANNEL}`);
      // Closed while this connected (a process that fails right after opening the database):
      // close() could not end it, and its open socket would keep the process from exiting.
      if (closed) {
        await next.end().catch(() => {});
        return;
      }
      client = next;
      // Anything written while we were away is picked up by readers' own catch-up reads; a
      // broadcast with an empty id tells them to do that now.
      for (const listener of listeners) listener('');
    } catch {
      scheduleReconnect(next);
    }
  };

  const scheduleReconnect = (failed: pg.Client) => {
    if (closed || retryTimer) return;
    if (client === failed) client = null;
    failed.end().catch(() => {});
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, 1000);
    retryTimer.unref();
  };

  void connect();
  return {
    add(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await client?.end().catch(() => {});
    },
  };
}
