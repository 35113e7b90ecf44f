import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogRecorder } from '../../activities/tpu/log-recorder.js';
import { openDatabase, type OpenDatabase } from '../../db/database.js';
import { listLogLines } from '../../db/nanocycle-logs-store.js';
import { seedSession } from '../support/pglite-session.js';

/**
 * Only an ACP run's stdout lines that start with the runner's tag are stored as stream `acp`: a
 * plain command that prints such a line, or an ACP agent writing it to stderr, stays plain text.
 */
describe('LogRecorder and the acp stream', () => {
  let database: OpenDatabase;

  beforeAll(async () => {
    database = await openDatabase({});
    await seedSession(database.db, 'S');
  }, 60_000);

  afterAll(async () => {
    await database?.close();
  });

  const tagged = '{"tevis":"acp","type":"end","stopReason":"end_turn","exitCode":0}';

  async function recorded(nanocycleId: string, acpLines: boolean) {
    const recorder = new LogRecorder({
      db: database.db,
      sessionId: 'S',
      nanocycleId,
      run: 1,
      attempt: 1,
      baseSeq: 0,
      alreadyWritten: 0,
      acpLines,
    });
    const at = new Date();
    recorder.add('stdout', { text: tagged, at });
    recorder.add('stderr', { text: tagged, at });
    recorder.add('stdout', { text: ` ${tagged}`, at });
    recorder.add('stdout', { text: 'plain', at });
    await recorder.close();
    return (await listLogLines(database.db, { sessionId: 'S', nanocycleId })).map((l) => l.stream);
  }

  it('stores the runner’s tagged stdout lines as acp in an ACP run', async () => {
    expect(await recorded('NC-001', true)).toEqual(['acp', 'stderr', 'stdout', 'stdout']);
  });

  it('stores the same lines as plain output in any other run', async () => {
    expect(await recorded('NC-002', false)).toEqual(['stdout', 'stderr', 'stdout', 'stdout']);
  });
});
