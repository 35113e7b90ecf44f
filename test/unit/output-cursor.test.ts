import { describe, expect, it } from 'vitest';
import { advanceOutputCursor, formatOutputCursor, parseOutputCursor } from '../../contracts/output-cursor.js';
import { interleaveByTime, type StoredLogLine } from '../../db/nanocycle-logs-store.js';

const line = (nanocycleId: string, seq: number, atMs: number): StoredLogLine => ({
  sessionId: 's',
  nanocycleId,
  run: 1,
  attempt: 1,
  seq,
  stream: 'stdout',
  line: `${nanocycleId}#${seq}`,
  at: new Date(atMs),
});

describe('the session output cursor', () => {
  it('round-trips through its text form, sorted by nanocycle', () => {
    const cursor = { 'NC-010': 3, 'NC-002': 40, 'NC-001': 12 };
    expect(formatOutputCursor(cursor)).toBe('NC-001:12,NC-002:40,NC-010:3');
    expect(parseOutputCursor(formatOutputCursor(cursor))).toEqual(cursor);
    expect(parseOutputCursor('')).toEqual({});
  });

  it('refuses text that is not a cursor', () => {
    for (const text of [
      'NC-001',
      'NC-001:x',
      'nc-001:1',
      'NC-1:2',
      'NC-001:1;DROP',
      'NC-001:99999999999999999999',
    ])
      expect(parseOutputCursor(text)).toBeNull();
  });

  it('only moves forward', () => {
    const cursor = advanceOutputCursor({}, { nanocycleId: 'NC-001', seq: 5 });
    expect(cursor).toEqual({ 'NC-001': 5 });
    expect(advanceOutputCursor(cursor, { nanocycleId: 'NC-001', seq: 4 })).toBe(cursor);
    expect(advanceOutputCursor(cursor, { nanocycleId: 'NC-002', seq: 1 })).toEqual({
      'NC-001': 5,
      'NC-002': 1,
    });
  });
});

describe('interleaving nanocycles by time', () => {
  it('takes the earliest head each time and never reorders a nanocycle', () => {
    // NC-001's second line carries an earlier time than its first (stderr's timestamp, say):
    // it still comes after it.
    const a = [line('NC-001', 1, 100), line('NC-001', 2, 50), line('NC-001', 3, 300)];
    const b = [line('NC-002', 1, 120), line('NC-002', 2, 200)];
    expect(interleaveByTime([a, b]).map((l) => l.line)).toEqual([
      'NC-001#1',
      'NC-001#2',
      'NC-002#1',
      'NC-002#2',
      'NC-001#3',
    ]);
    expect(interleaveByTime([])).toEqual([]);
  });
});
