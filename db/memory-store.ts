import { and, desc, eq, lt } from 'drizzle-orm';
import type { MemoryEntry, MemoryPage, MemoryQuery } from '../contracts/memory.js';
import type { Database } from './database.js';
import { projectMemory } from './schema.js';

type Row = typeof projectMemory.$inferSelect;
const toEntry = (r: Row): MemoryEntry => ({
  id: r.id,
  sessionId: r.sessionId,
  kind: r.kind,
  content: r.content,
  createdAt: r.createdAt.toISOString(),
});

/**
 * A page of a project's memory, newest first. Ordered by id (entries are only ever added), so a
 * page boundary given as `before` stays put while new entries arrive.
 */
export async function browseMemory(db: Database, project: string, query: MemoryQuery): Promise<MemoryPage> {
  const rows = await db
    .select()
    .from(projectMemory)
    .where(
      and(
        eq(projectMemory.project, project),
        query.kind ? eq(projectMemory.kind, query.kind) : undefined,
        query.before ? lt(projectMemory.id, query.before) : undefined,
      ),
    )
    .orderBy(desc(projectMemory.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return { entries: page.map(toEntry), next: rows.length > query.limit ? page[page.length - 1]!.id : null };
}

export async function findMemoryEntry(
  db: Database,
  project: string,
  id: number,
): Promise<MemoryEntry | null> {
  const [row] = await db
    .select()
    .from(projectMemory)
    .where(and(eq(projectMemory.project, project), eq(projectMemory.id, id)));
  return row ? toEntry(row) : null;
}
