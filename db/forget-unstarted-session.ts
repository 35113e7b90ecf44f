import { eq } from 'drizzle-orm';
import type { Database } from './database.js';
import { events, sessions } from './schema.js';

/**
 * Removes a session whose workflow was never started, with its timeline, in one transaction: a
 * create refused for an outage leaves no record behind (see SessionCreation.create in api/session-create.ts).
 */
export async function forgetUnstartedSession(db: Database, sessionId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(events).where(eq(events.sessionId, sessionId));
    await tx.delete(sessions).where(eq(sessions.id, sessionId));
  });
}
