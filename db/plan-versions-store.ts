import { and, desc, eq, sql } from 'drizzle-orm';
import type { PlanDrafted, PlanVersion, PlanVersionSummary } from '../contracts/plan.js';
import type { Database } from './database.js';
import { planVersions, sessions } from './schema.js';
import { appendEvent } from './timeline-store.js';

const summaryColumns = {
  version: planVersions.version,
  length: sql<number>`char_length(${planVersions.plan})`.mapWith(Number),
  createdAt: planVersions.createdAt,
};

/**
 * Drafts a plan: a new version unless the text is the latest version's already (then nothing is
 * written and that version is answered). The version, the session's latest plan and the
 * `plan.drafted` event are written in one transaction, under the session row's lock, so two
 * drafts at once get consecutive numbers and the timeline names each.
 */
export async function draftPlan(db: Database, sessionId: string, plan: string): Promise<PlanDrafted> {
  return db.transaction(async (tx) => {
    await tx.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, sessionId)).for('update');
    const [latest] = await tx
      .select()
      .from(planVersions)
      .where(eq(planVersions.sessionId, sessionId))
      .orderBy(desc(planVersions.version))
      .limit(1);
    if (latest && latest.plan === plan)
      return { sessionId, version: latest.version, length: plan.length, created: false };
    const version = (latest?.version ?? 0) + 1;
    await tx.insert(planVersions).values({ sessionId, version, plan });
    await tx.update(sessions).set({ plan }).where(eq(sessions.id, sessionId));
    await appendEvent(tx, { sessionId, type: 'plan.drafted', data: { version, length: plan.length } });
    return { sessionId, version, length: plan.length, created: true };
  });
}

/** One version, or the latest when `version` is absent; null when there is none. */
export async function findPlanVersion(
  db: Database,
  sessionId: string,
  version?: number,
): Promise<PlanVersion | null> {
  const where =
    version === undefined
      ? eq(planVersions.sessionId, sessionId)
      : and(eq(planVersions.sessionId, sessionId), eq(planVersions.version, version));
  const [row] = await db
    .select()
    .from(planVersions)
    .where(where)
    .orderBy(desc(planVersions.version))
    .limit(1);
  return row
    ? {
        sessionId,
        version: row.version,
        plan: row.plan,
        length: row.plan.length,
        createdAt: row.createdAt.toISOString(),
      }
    : null;
}

/** Every version of a session's plan, newest first, without the text. */
export async function listPlanVersions(db: Database, sessionId: string): Promise<PlanVersionSummary[]> {
  const rows = await db
    .select(summaryColumns)
    .from(planVersions)
    .where(eq(planVersions.sessionId, sessionId))
    .orderBy(desc(planVersions.version));
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
}

/**
 * The latest version of each session of `project` that drafted a plan, newest first: every one, one
 * row a planning session (the query reads them all to order them, so cutting the answer saved nothing
 * and hid plans without saying so).
 */
export async function listProjectPlans(
  db: Database,
  project: string,
): Promise<(PlanVersionSummary & { sessionId: string })[]> {
  const rows = await db
    .selectDistinctOn([planVersions.sessionId], { sessionId: planVersions.sessionId, ...summaryColumns })
    .from(planVersions)
    .innerJoin(sessions, eq(sessions.id, planVersions.sessionId))
    .where(eq(sessions.project, project))
    .orderBy(planVersions.sessionId, desc(planVersions.version));
  return rows
    .map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
