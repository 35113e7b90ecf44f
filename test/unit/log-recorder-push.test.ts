import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LogRecorder } from '../../activities/tpu/log-recorder.js';
import { openDatabase, type OpenDatabase } from '../../db/database.js';
import { listLogLines } from '../../db/nanocycle-logs-store.js';
import { seedSession } from '../support/pglite-session.js';

/**
 * A TPU's line is stored, and its readers notified, as soon as the write before it is done: no
 * timer holds it. Timers (setTimeout, setInterval) are frozen here, so a recorder that waited
 * for one would never store the line and the test would hang until its timeout.
 */
describe('LogRecorder pushes lines without a flush timer', () => {
  let database: OpenDatabase;

  beforeAll(async () => {
    database = await openDatabase({});
    await seedSession(database.db, 'S');
  }, 60_000);

  afterAll(async () => {
    vi.useRealTimers();
    await database?.close();
  });

  it('stores a lone line, then the lines that came while it was written, in order, and wakes readers', async () => {
    const woken: string[] = [];
    const unsubscribe = database.onEvent((sessionId) => woken.push(sessionId));
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'Date'] });
    const recorder = new LogRecorder({
      db: database.db,
      sessionId: 'S',
      nanocycleId: 'NC-001',
      run: 1,
      attempt: 1,
      baseSeq: 0,
      alreadyWritten: 0,
    });
    const at = new Date(0);
    recorder.add('stdout', { text: 'first', at });
    // Arrives while the first is being written: goes in the next write.
    recorder.add('stdout', { text: 'second', at });
    recorder.add('stderr', { text: 'third', at });
    await recorder.whenBacklogAtMost(0);
    vi.useRealTimers();
    unsubscribe();

    expect(recorder.error).toBeNull();
    expect(recorder.storedSeq).toBe(3);
    const lines = await listLogLines(database.db, { sessionId: 'S', nanocycleId: 'NC-001' });
    expect(lines.map((l) => [l.seq, l.stream, l.line])).toEqual([
      [1, 'stdout', 'first'],
      [2, 'stdout', 'second'],
      [3, 'stderr', 'third'],
    ]);
    expect(woken).toContain('S');
  }, 30_000);
});
