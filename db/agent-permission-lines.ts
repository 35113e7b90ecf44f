import { and, asc, eq, gt, like } from 'drizzle-orm';
import type { Database } from './database.js';
import { nanocycleLogs } from './schema.js';

/** How the runner's permission line starts (tpu/acp/runner-lines.ts writes the tag, then the type). */
const PERMISSION_LINE_START = '{"tevis":"acp","type":"permission",';

export interface StoredPermissionLine {
  seq: number;
  attempt: number;
  line: string;
}

/** The first permission request an ACP run's runner printed after `afterSeq`, if any yet. */
export async function nextPermissionLine(
  db: Database,
  input: { sessionId: string; nanocycleId: string; run: number; afterSeq: number },
): Promise<StoredPermissionLine | null> {
  const [row] = await db
    .select({ seq: nanocycleLogs.seq, attempt: nanocycleLogs.attempt, line: nanocycleLogs.line })
    .from(nanocycleLogs)
    .where(
      and(
        eq(nanocycleLogs.sessionId, input.sessionId),
        eq(nanocycleLogs.nanocycleId, input.nanocycleId),
        eq(nanocycleLogs.run, input.run),
        eq(nanocycleLogs.stream, 'acp'),
        gt(nanocycleLogs.seq, input.afterSeq),
        like(nanocycleLogs.line, `${PERMISSION_LINE_START}%`),
      ),
    )
    .orderBy(asc(nanocycleLogs.seq))
    .limit(1);
  return row ?? null;
}
