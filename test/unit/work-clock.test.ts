import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkClock } from '../../activities/tpu/work-clock.js';
import { openDatabase, type OpenDatabase } from '../../db/database.js';
import { agentHeldMs, insertHoldPoint, resolveHoldPoint } from '../../db/hold-points-store.js';
import { seedSession } from '../support/pglite-session.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const s = (seconds: number) => T0 + seconds * 1000;
const iso = (seconds: number) => new Date(s(seconds)).toISOString();

describe("a TPU run's clock", () => {
  it('runs out at the timeout when nothing was held, without asking the record before', async () => {
    const asked: number[] = [];
    const clock = new WorkClock(T0, 10, async (_from, until) => {
      asked.push(until);
      return 0;
    });
    expect(await clock.expired(s(9.9))).toBe(false);
    expect(asked).toEqual([]);
    expect(await clock.expired(s(10))).toBe(true);
    expect(await new WorkClock(T0, 10, null).expired(s(10))).toBe(true);
  });

  it('moves its deadline by the time held for a person, asked again each time it passes', async () => {
    // 4 s held by the time the plain deadline passes, 7 s by the time the moved one does.
    const held = [4_000, 7_000, 7_000];
    const clock = new WorkClock(T0, 10, async () => held.shift()!);
    expect(await clock.expired(s(10))).toBe(false);
    expect(await clock.expired(s(13.9))).toBe(false);
    expect(await clock.expired(s(14))).toBe(false);
    expect(await clock.expired(s(17))).toBe(true);
  });

  it('does not stop a run because the record could not be read, and tells a run found ended', async () => {
    let fail = true;
    const clock = new WorkClock(T0, 10, async () => {
      if (fail) throw new Error('database unavailable');
      return 5_000;
    });
    expect(await clock.expired(s(11))).toBe(false);
    fail = false;
    expect(await clock.ranPast(s(14))).toBe(false);
    expect(await clock.ranPast(s(15))).toBe(true);
  });
});

describe('the time agent hold points held a run', () => {
  let database: OpenDatabase;
  const nc = { sessionId: 'S', nanocycleId: 'NC-001' };

  beforeAll(async () => {
    database = await openDatabase({});
    await seedSession(database.db, 'S');
    const hold = async (
      id: string,
      kind: 'agent' | 'merge',
      nanocycleId: string,
      opened: number,
      resolved?: number,
    ) => {
      await insertHoldPoint(database.db, {
        sessionId: 'S',
        id,
        nanocycleId,
        kind,
        reason: 'r',
        openedAt: iso(opened),
      });
      if (resolved !== undefined)
        await resolveHoldPoint(database.db, {
          sessionId: 'S',
          id,
          status: 'approved',
          by: 't',
          comment: null,
          resolvedAt: iso(resolved),
        });
    };
    await hold('HP-001-agent-1', 'agent', 'NC-001', 2, 5); // 3 s
    await hold('HP-001-agent-2', 'agent', 'NC-001', 4, 6); // overlaps the first: 1 s more
    await hold('HP-001-agent-3', 'agent', 'NC-001', 20); // still waiting
    await hold('HP-001-merge', 'merge', 'NC-001', 8, 30); // not the agent's
    await hold('HP-002-agent-1', 'agent', 'NC-002', 0, 30); // another nanocycle's
    await hold('HP-001-agent-0', 'agent', 'NC-001', -10, -5); // before the run
  }, 60_000);

  afterAll(async () => {
    await database?.close();
  });

  it("counts the nanocycle's agent hold points within the run, overlaps once, an open one until now", async () => {
    expect(await agentHeldMs(database.db, nc, s(0), s(10))).toBe(4_000);
    expect(await agentHeldMs(database.db, nc, s(0), s(25))).toBe(9_000);
    // A run that started while a hold point waited counts from its start.
    expect(await agentHeldMs(database.db, nc, s(3), s(10))).toBe(3_000);
    expect(await agentHeldMs(database.db, { ...nc, nanocycleId: 'NC-003' }, s(0), s(25))).toBe(0);
  });
});
