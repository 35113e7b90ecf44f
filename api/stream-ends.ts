import { nanocycleOutputIsOver, sessionIsOver } from '../contracts/stream-end.js';
import type { Database } from '../db/database.js';
import { getNanocycle } from '../db/nanocycles-store.js';
import { getSession } from '../db/sessions-store.js';

/**
 * What ends each live stream (see `finished` in sse-by-sequence.ts): a session's timeline and
 * output end with the session, a nanocycle's output when it will print no more.
 */

export function sessionStreamEnd(db: Database, sessionId: string): () => Promise<string | null> {
  return async () => {
    const { status } = await getSession(db, sessionId);
    return sessionIsOver(status) ? `session ${status}` : null;
  };
}

export function nanocycleStreamEnd(
  db: Database,
  sessionId: string,
  nanocycleId: string,
): () => Promise<string | null> {
  const session = sessionStreamEnd(db, sessionId);
  return async () => {
    const nc = await getNanocycle(db, sessionId, nanocycleId);
    return nanocycleOutputIsOver(nc) ? `nanocycle ${nc.status}` : session();
  };
}
