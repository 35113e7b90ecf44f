import type { Session } from '../contracts/session.js';
import type { LoadedContext } from '../contracts/session-state.js';
import type { Database } from './database.js';
import { getSessionRow, toSession } from './sessions-store.js';

export interface SessionViewRow {
  session: Session;
  context: LoadedContext | null;
  /** The last timeline sequence number: it moves with every event the session writes. */
  eventSeq: number;
}

/**
 * What `GET /sessions/{id}` needs of the session row in one query: the record, its loaded
 * context, and the event sequence api/session-facts-cache.ts keys its cached facts on.
 */
export async function findSessionViewRow(db: Database, id: string): Promise<SessionViewRow> {
  const row = await getSessionRow(db, id);
  return {
    session: toSession(row.session, row.repository),
    context: row.session.context ?? null,
    eventSeq: row.session.eventSeq,
  };
}
