import { and, asc, desc, eq, gt, like } from 'drizzle-orm';
import type { Database } from './database.js';
import { nanocycleLogs } from './schema.js';

/** How a runner line of `type` starts (tpu/acp/runner-lines.ts writes the tag, then the type). */
const lineStart = (type: string) => `{"tevis":"acp","type":"${type}",`;

interface RunOfNanocycle {
  sessionId: string;
  nanocycleId: string;
  run: number;
}

/** A run's acp lines of one type (the index on session, nanocycle and seq finds them). */
function linesOfType(input: RunOfNanocycle, type: string) {
  return and(
    eq(nanocycleLogs.sessionId, input.sessionId),
    eq(nanocycleLogs.nanocycleId, input.nanocycleId),
    eq(nanocycleLogs.run, input.run),
    eq(nanocycleLogs.stream, 'acp'),
    like(nanocycleLogs.line, `${lineStart(type)}%`),
  );
}

export interface StoredPermissionLine {
  seq: number;
  attempt: number;
  line: string;
}

/** The first permission request an ACP run's runner printed after `afterSeq`, if any yet. */
export async function nextPermissionLine(
  db: Database,
  input: RunOfNanocycle & { afterSeq: number },
): Promise<StoredPermissionLine | null> {
  const [row] = await db
    .select({ seq: nanocycleLogs.seq, attempt: nanocycleLogs.attempt, line: nanocycleLogs.line })
    .from(nanocycleLogs)
    .where(and(linesOfType(input, 'permission'), gt(nanocycleLogs.seq, input.afterSeq)))
    .orderBy(asc(nanocycleLogs.seq))
    .limit(1);
  return row ?? null;
}

/** The ACP session the run's runner last opened (null: none yet, or a line that does not say). */
export async function lastAcpSessionId(db: Database, input: RunOfNanocycle): Promise<string | null> {
  const [row] = await db
    .select({ line: nanocycleLogs.line })
    .from(nanocycleLogs)
    .where(linesOfType(input, 'started'))
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
