import { and, asc, desc, eq, gt, like } from 'drizzle-orm';
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

/** How the runner's line starts once the agent's session is open (tpu/acp/runner-lines.ts). */
const STARTED_LINE_START = '{"tevis":"acp","type":"started",';

/** The ACP session the run's runner last opened (null: none yet, or a line that does not say). */
export async function lastAcpSessionId(
  db: Database,
  input: { sessionId: string; nanocycleId: string; run: number },
): Promise<string | null> {
  const [row] = await db
    .select({ line: nanocycleLogs.line })
    .from(nanocycleLogs)
    .where(
      and(
        eq(nanocycleLogs.sessionId, input.sessionId),
        eq(nanocycleLogs.nanocycleId, input.nanocycleId),
        eq(nanocycleLogs.run, input.run),
        eq(nanocycleLogs.stream, 'acp'),
        like(nanocycleLogs.line, `${STARTED_LINE_START}%`),
      ),
    )
    .orderBy(desc(nanocycleLogs.seq))
    .limit(1);
  if (!row) return null;
  try {
    const id = (JSON.parse(row.line) as { sessionId?: unknown }).sessionId;
    // Written inside the TPU: only a plausible id goes back into it (printable, so it cannot
    // break the environment it is passed in: a NUL would fail the start of every attempt).
    return typeof id === 'string' && /^[\x20-\x7e]{1,1024}$/.test(id) ? id : null;
  } catch {
    return null;
  }
}
