import { NANOCYCLE_ID_PATTERN } from './nanocycle.js';
import { isSequenceNumber } from './storable.js';

/**
 * Where a reader of a session's output is: the last seq it has of each nanocycle. Lines are
 * numbered per nanocycle (each has one writer at a time), so a single session-wide number could
 * be committed out of order; one cursor per nanocycle never skips a line.
 */
export type OutputCursor = Readonly<Record<string, number>>;

/** `NC-001:12,NC-002:40`: the SSE id of the session output stream, sent back as Last-Event-ID. */
export function formatOutputCursor(cursor: OutputCursor): string {
  return Object.keys(cursor)
    .sort()
    .map((id) => `${id}:${cursor[id]}`)
    .join(',');
}

/** The cursor in `text`, or null when it is not one (an empty text is the start: `{}`). */
export function parseOutputCursor(text: string): OutputCursor | null {
  const cursor: Record<string, number> = {};
  if (text.trim() === '') return cursor;
  for (const part of text.split(',')) {
    const match = /^(NC-\d+):(\d+)$/.exec(part.trim());
    if (!match || !NANOCYCLE_ID_PATTERN.test(match[1]!)) return null;
    const seq = Number(match[2]);
    // A seq the int4 column cannot hold is no cursor Tevis ever gave out.
    if (!isSequenceNumber(seq)) return null;
    cursor[match[1]!] = seq;
  }
  return cursor;
}

export function advanceOutputCursor(
  cursor: OutputCursor,
  line: { nanocycleId: string; seq: number },
): OutputCursor {
  return (cursor[line.nanocycleId] ?? 0) >= line.seq ? cursor : { ...cursor, [line.nanocycleId]: line.seq };
}
