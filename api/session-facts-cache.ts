import type { OpenDatabase } from '../db/database.js';

/** What changes without an event (a workspace edited by hand, a workflow terminated) shows within this. */
export const SESSION_FACTS_TTL_MS = 2000;
/** Enough for every session people and dashboards look at; the oldest entry goes first. */
const MAX_ENTRIES = 1000;

interface Entry<T> {
  key: string;
  eventSeq: number;
  readAt: number;
  facts: Promise<T>;
}

/**
 * Facts about a session that live outside the database (its workspace's git status, whether
 * Temporal runs its workflow), looked up once and kept for a moment so a session read does not
 * pay for them every time. An entry holds only while the session has written no event since
 * (its event sequence is part of the key, so a read right after a command, a merge or a
 * recovery looks again), and is dropped as soon as the database says the session has a new
 * event (db/event-notifications.ts), which keeps the map small.
 *
 * Each API instance keeps its own map, and two instances still agree: the event sequence comes
 * from the shared database on every read, and the notification comes from whichever process
 * wrote the event (test/integration/api-instances.test.ts). Only a fact that changes without an
 * event may differ between them, for at most the TTL, as it may between two reads of one.
 */
export class SessionFactsCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private listening = false;

  constructor(
    private readonly database: Pick<OpenDatabase, 'onEvent'>,
    private readonly ttlMs = SESSION_FACTS_TTL_MS,
  ) {}

  read(sessionId: string, key: string, eventSeq: number, lookUp: () => Promise<T>): Promise<T> {
    // Subscribed on first use: an API that never reads a session holds no listener.
    if (!this.listening) {
      this.listening = true;
      // An empty id means notifications may have been missed: forget everything.
      this.database.onEvent((id) => (id ? this.entries.delete(id) : this.entries.clear()));
    }
    const now = Date.now();
    const cached = this.entries.get(sessionId);
    if (cached && cached.key === key && cached.eventSeq === eventSeq && now - cached.readAt < this.ttlMs)
      return cached.facts;
    const entry: Entry<T> = { key, eventSeq, readAt: now, facts: lookUp() };
    this.entries.delete(sessionId);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(sessionId, entry);
    // A failed look-up is not kept: the next read tries again.
    entry.facts.catch(() => {
      if (this.entries.get(sessionId) === entry) this.entries.delete(sessionId);
    });
    return entry.facts;
  }
}
