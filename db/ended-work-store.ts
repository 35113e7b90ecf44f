import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Database } from './database.js';
import { sessions, summaries } from './schema.js';

/** Where an ended session left its branch: what the next session of that branch may start from. */
export interface EndedWork {
  sessionId: string;
  /** The workspace's head when the session ended (its summary's `endCommit`). */
  commit: string;
  endedAt: Date;
}

/** Session types whose work is commits on their branch (a review session's branch is the remote's). */
const WORKING_TYPES = ['development', 'planning'];

/**
 * The ended development and planning sessions of `project` on `branch` whose summary recorded
 * their final commit, the most recently ended first (at most `limit`).
 */
export async function endedWorkOnBranch(
  db: Database,
  project: string,
  branch: string,
  limit = 20,
): Promise<EndedWork[]> {
  const rows = await db
    .select({ sessionId: sessions.id, endedAt: sessions.endedAt, summary: summaries.data })
    .from(sessions)
    .innerJoin(summaries, eq(summaries.sessionId, sessions.id))
    .where(
      and(
        eq(sessions.project, project),
        eq(sessions.branch, branch),
        eq(sessions.status, 'ended'),
        inArray(sessions.type, WORKING_TYPES),
        isNotNull(sessions.endedAt),
      ),
    )
    .orderBy(desc(sessions.endedAt))
    .limit(limit);
  return rows.flatMap((row) => {
    const commit = row.summary.endCommit;
    return typeof commit === 'string' && /^[0-9a-f]{40}$/.test(commit)
      ? [{ sessionId: row.sessionId, commit, endedAt: row.endedAt! }]
      : [];
  });
}
