import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import type { LogLine, LogStreamName, SessionLogLine } from '../contracts/nanocycle-records.js';
import type { OutputCursor } from '../contracts/output-cursor.js';
import type { Database } from './database.js';
import { EVENTS_CHANNEL } from './event-notifications.js';
import { nanocycleLogs } from './schema.js';

/** The pipes a TPU prints on. */
export type LogStream = 'stdout' | 'stderr';
/**
 * What a stored line came from: a TPU's pipe, Tevis saying something about the run (a restart),
 * or, for an ACP agent, a typed line of its runner (`{"tevis":"acp","type":…}` on stdout).
 */
export type RecordStream = LogStreamName;

/** A line as an executor read it, before it is numbered and stored. */
export interface PrintedLine {
  stream: RecordStream;
  line: string;
  at: Date;
}

export interface StoredLogLine extends PrintedLine {
  sessionId: string;
  nanocycleId: string;
  run: number;
  /** The attempt of the run's activity that stored it. */
  attempt: number;
  seq: number;
}

export interface AppendLogLinesInput {
  sessionId: string;
  nanocycleId: string;
  run: number;
  /** The activity attempt writing them (1 unless a worker was lost or an attempt failed). */
  attempt?: number;
  /** The seq of `lines[0]`; the others follow one by one. */
  fromSeq: number;
  lines: PrintedLine[];
}

/** The one way a stored line becomes what the API answers about a nanocycle's output. */
export function toLogLine(line: StoredLogLine): LogLine {
  return {
    seq: line.seq,
    run: line.run,
    attempt: line.attempt,
    stream: line.stream,
    line: line.line,
    at: line.at.toISOString(),
  };
}

/** A stored line in the session's output, saying whose it is. */
export function toSessionLogLine(line: StoredLogLine): SessionLogLine {
  return { nanocycleId: line.nanocycleId, ...toLogLine(line) };
}

/** Nine columns a row: well under Postgres' 65,535 bind parameters a statement. */
const ROWS_PER_INSERT = 1000;

/** Postgres text cannot hold NUL; a program that prints one still gets the rest of its line kept. */
function storable(line: string): string {
  return line.includes('\0') ? line.replaceAll('\0', '\uFFFD') : line;
}

/**
 * Writes lines with the seqs the caller numbered them with. A (session, nanocycle, seq) that is
 * already there is left as it is, so a retried writer that numbers its lines the same way can
 * write them again without duplicating any. Wakes the SSE readers on the same channel as timeline
 * events, with the session id, in the same transaction: nobody hears of an uncommitted line.
 * Returns how many rows were new.
 */
export async function appendLogLines(db: Database, input: AppendLogLinesInput): Promise<number> {
  if (input.lines.length === 0) return 0;
  const rows = input.lines.map((l, i) => ({
    sessionId: input.sessionId,
    nanocycleId: input.nanocycleId,
    run: input.run,
    attempt: input.attempt ?? 1,
    seq: input.fromSeq + i,
    stream: l.stream,
    line: storable(l.line),
    at: l.at,
  }));
  return db.transaction(async (tx) => {
    let inserted = 0;
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const written = await tx
        .insert(nanocycleLogs)
        .values(rows.slice(i, i + ROWS_PER_INSERT))
        .onConflictDoNothing({
          target: [nanocycleLogs.sessionId, nanocycleLogs.nanocycleId, nanocycleLogs.seq],
        })
        .returning({ seq: nanocycleLogs.seq });
      inserted += written.length;
    }
    if (inserted > 0) await tx.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${input.sessionId})`);
    return inserted;
  });
}

/** A stored line without the columns a reader has no use for (the numbering window's rank). */
function toStoredLogLine(r: StoredLogLine): StoredLogLine {
  const { sessionId, nanocycleId, run, attempt, seq, stream, line, at } = r;
  return { sessionId, nanocycleId, run, attempt, seq, stream, line, at };
}

export interface ListLogLinesInput {
  sessionId: string;
  nanocycleId: string;
  /** Lines with a seq above this; 0 from the start. */
  afterSeq?: number;
  limit?: number;
}

/**
 * A nanocycle's lines in order. Its lines are written by one writer at a time in seq order, so
 * a reader that resumes after the last seq it saw misses nothing.
 */
export async function listLogLines(db: Database, input: ListLogLinesInput): Promise<StoredLogLine[]> {
  const rows = await db
    .select()
    .from(nanocycleLogs)
    .where(
      and(
        eq(nanocycleLogs.sessionId, input.sessionId),
        eq(nanocycleLogs.nanocycleId, input.nanocycleId),
        gt(nanocycleLogs.seq, input.afterSeq ?? 0),
      ),
    )
    .orderBy(asc(nanocycleLogs.seq))
    .limit(input.limit ?? 1000);
  return rows.map((r) => toStoredLogLine(r));
}

/**
 * A session's lines after `cursor`, up to `limitPerNanocycle` of each nanocycle: each
 * nanocycle's in seq order, the nanocycles' interleaved by when the lines were printed (a line
 * never overtakes an earlier one of its own nanocycle, so the cursor never skips one).
 */
export async function listSessionLogLines(
  db: Database,
  input: { sessionId: string; after: OutputCursor; limitPerNanocycle?: number },
): Promise<StoredLogLine[]> {
  const limit = input.limitPerNanocycle ?? 500;
  const numbered = db
    .select({
      nanocycleId: nanocycleLogs.nanocycleId,
      run: nanocycleLogs.run,
      attempt: nanocycleLogs.attempt,
      seq: nanocycleLogs.seq,
      stream: nanocycleLogs.stream,
      line: nanocycleLogs.line,
      at: nanocycleLogs.at,
      rank: sql<number>`row_number() over (partition by ${nanocycleLogs.nanocycleId} order by ${nanocycleLogs.seq})`.as(
        'rank',
      ),
    })
    .from(nanocycleLogs)
    .where(
      and(
        eq(nanocycleLogs.sessionId, input.sessionId),
        gt(
          nanocycleLogs.seq,
          sql`coalesce((${JSON.stringify(input.after)}::jsonb ->> ${nanocycleLogs.nanocycleId})::int, 0)`,
        ),
      ),
    )
    .as('numbered');
  const rows = await db
    .select()
    .from(numbered)
    .where(lte(numbered.rank, limit))
    .orderBy(asc(numbered.nanocycleId), asc(numbered.seq));
  const byNanocycle = new Map<string, StoredLogLine[]>();
  for (const r of rows) {
    const line = toStoredLogLine({ ...r, sessionId: input.sessionId });
    const list = byNanocycle.get(line.nanocycleId) ?? [];
    list.push(line);
    byNanocycle.set(line.nanocycleId, list);
  }
  return interleaveByTime([...byNanocycle.values()]);
}

/** Merges lists that are each in order into one, taking the earliest head each time. */
export function interleaveByTime(lists: StoredLogLine[][]): StoredLogLine[] {
  const heads = lists.map(() => 0);
  const merged: StoredLogLine[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      const candidate = lists[i]![heads[i]!];
      if (candidate && (best < 0 || candidate.at < lists[best]![heads[best]!]!.at)) best = i;
    }
    if (best < 0) return merged;
    merged.push(lists[best]![heads[best]!++]!);
  }
}

export interface RunLogPosition {
  /** The last seq of the nanocycle's earlier runs (0 when this is its first): line i of this run is `baseSeq + i`. */
  baseSeq: number;
  /** How many lines of this run are already stored. */
  written: number;
}

/** Where a run's numbering starts and how far its writing got, for an executor that resumes. */
export async function runLogPosition(
  db: Database,
  input: { sessionId: string; nanocycleId: string; run: number },
): Promise<RunLogPosition> {
  const scope = and(
    eq(nanocycleLogs.sessionId, input.sessionId),
    eq(nanocycleLogs.nanocycleId, input.nanocycleId),
  );
  // One query, both maxima: it is on the way to every TPU start.
  const [row] = await db
    .select({
      earlier: sql<
        number | null
      >`max(${nanocycleLogs.seq}) filter (where ${nanocycleLogs.run} < ${input.run})`,
      current: sql<
        number | null
      >`max(${nanocycleLogs.seq}) filter (where ${nanocycleLogs.run} = ${input.run})`,
    })
    .from(nanocycleLogs)
    .where(scope);
  const baseSeq = Number(row?.earlier ?? 0);
  const lastOfRun = row?.current == null ? baseSeq : Number(row.current);
  return { baseSeq, written: lastOfRun - baseSeq };
}
