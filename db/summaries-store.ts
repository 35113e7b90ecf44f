import { desc, eq, sql } from 'drizzle-orm';
import type { SessionSummary } from '../contracts/summary.js';
import type { Database } from './database.js';
import { projectMemory, summaries } from './schema.js';

/** Saves the summary and files it into the project's memory; saving twice keeps one of each. */
export async function saveSummary(db: Database, project: string, summary: SessionSummary): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(summaries)
      .values({ sessionId: summary.sessionId, data: summary, markdown: summary.markdown })
      .onConflictDoUpdate({
        target: summaries.sessionId,
        set: { data: summary, markdown: summary.markdown },
      });
    await tx
      .insert(projectMemory)
      .values({ project, sessionId: summary.sessionId, kind: 'summary', content: summary.markdown })
      .onConflictDoUpdate({
        target: [projectMemory.sessionId, projectMemory.kind],
        set: { content: sql`excluded.content` },
      });
  });
}

export async function findSummary(db: Database, sessionId: string): Promise<SessionSummary | null> {
  const [row] = await db.select().from(summaries).where(eq(summaries.sessionId, sessionId));
  return row?.data ?? null;
}

export interface MemoryEntry {
  sessionId: string | null;
  kind: string;
  content: string;
  createdAt: string;
}

export async function listProjectMemory(db: Database, project: string, limit = 20): Promise<MemoryEntry[]> {
  const rows = await db
    .select()
    .from(projectMemory)
    .where(eq(projectMemory.project, project))
    .orderBy(desc(projectMemory.createdAt))
    .limit(limit);
  return rows.map((r) => ({
    sessionId: r.sessionId,
    kind: r.kind,
    content: r.content,
    createdAt: r.createdAt.toISOString(),
  }));
}
