import { eq } from 'drizzle-orm';
import { TevisError } from '../contracts/errors.js';
import type { Session } from '../contracts/session.js';
import type { LoadedContext } from '../contracts/session-state.js';
import type { Database } from './database.js';
import { projects, sessions } from './schema.js';
import { toSession } from './sessions-store.js';

export interface SessionViewRow {
  session: Session;
  context: LoadedContext | null;
  /** The last timeline sequence number: it moves with every event the session writes. */
  eventSeq: number;
}

/**
 * What `GET /sessions/{id}` needs of the session row in one query: the record, its loaded
 * context, and the event sequence api/workspace-facts.ts keys its cached git facts on.
 */
export async function findSessionViewRow(db: Database, id: string): Promise<SessionViewRow> {
  const [row] = await db
    .select({ session: sessions, repository: projects.repository })
    .from(sessions)
    .innerJoin(projects, eq(projects.name, sessions.project))
    .where(eq(sessions.id, id));
  if (!row)
    throw new TevisError(
      'session-not-found',
      `no session "${id}"; list them with \`tevis session list --all\``,
      { session: id },
    );
  return {
    session: toSession(row.session, row.repository),
    context: row.session.context ?? null,
    eventSeq: row.session.eventSeq,
  };
}
