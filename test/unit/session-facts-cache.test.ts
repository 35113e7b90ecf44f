import { describe, expect, it } from 'vitest';
import { SessionFactsCache } from '../../api/session-facts-cache.js';

/**
 * The API's one cache of facts outside the database. Its entries are dropped by the event bus
 * (db/event-notifications.ts), which carries every process's writes: an instance's cache does
 * not outlive an event written through another (api-instances.test.ts proves the bus crosses
 * processes).
 */

function cacheWithBus() {
  const listeners = new Set<(sessionId: string) => void>();
  const cache = new SessionFactsCache<number>({
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  let lookUps = 0;
  const read = (sessionId: string) => cache.read(sessionId, 'path', 7, async () => ++lookUps);
  const notify = (sessionId: string) => {
    for (const listener of listeners) listener(sessionId);
  };
  return { read, notify, lookUps: () => lookUps };
}

describe('SessionFactsCache', () => {
  it('serves a second read from the entry while nothing was notified', async () => {
    const { read, lookUps } = cacheWithBus();
    expect(await read('S1')).toBe(1);
    expect(await read('S1')).toBe(1);
    expect(lookUps()).toBe(1);
  });

  it("drops a session's entry when an event of that session is notified, and only that one", async () => {
    const { read, notify, lookUps } = cacheWithBus();
    await read('S1');
    await read('S2');
    notify('S1');
    expect(await read('S1')).toBe(3);
    expect(await read('S2')).toBe(2);
    expect(lookUps()).toBe(3);
  });

  it('forgets everything on the empty notification the listener sends after a reconnect', async () => {
    const { read, notify, lookUps } = cacheWithBus();
    await read('S1');
    await read('S2');
    notify('');
    await read('S1');
    await read('S2');
    expect(lookUps()).toBe(4);
  });
});
