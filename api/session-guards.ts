import { sessionCan, typesAllowing, type Capability } from '../contracts/capabilities.js';
import { TevisError } from '../contracts/errors.js';
import type { Session } from '../contracts/session.js';
import { isOpenStatus } from '../contracts/session-types.js';
import type { Database } from '../db/database.js';
import { getSession } from '../db/sessions-store.js';

/**
 * What a command checks in the record before it asks the workflow: that the session's type may
 * do it (contracts/capabilities.ts) and that the session is still open. Each answers with the
 * session, read once.
 */

export async function requireCapability(
  db: Database,
  sessionId: string,
  capability: Capability,
): Promise<Session> {
  const session = await getSession(db, sessionId);
  if (!sessionCan(session.type, capability)) {
    throw new TevisError(
      'capability-not-allowed',
      `a ${session.type} session cannot do "${capability}"; that takes a ${typesAllowing(capability).join(' or ')} session (\`tevis session create --type ${typesAllowing(capability)[0]}\`)`,
      { capability, sessionType: session.type },
    );
  }
  return session;
}

export async function requireOpen(db: Database, sessionId: string): Promise<Session> {
  const session = await getSession(db, sessionId);
  if (!isOpenStatus(session.status)) {
    throw new TevisError(
      'invalid-transition',
      `session ${sessionId} is ${session.status}; start a new one with \`tevis session create --project ${session.project}\``,
      { sessionStatus: session.status },
    );
  }
  return session;
}
