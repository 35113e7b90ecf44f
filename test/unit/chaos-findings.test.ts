import { describe, expect, it } from 'vitest';
import { checksOf } from '../../bench/chaos/checks.js';
import { planFaults } from '../../bench/chaos/fault-plan.js';
import type { Figures } from '../../bench/chaos/figures.js';
import { DEFAULT_OPTIONS, parseChaosOptions } from '../../bench/chaos/options.js';
import { readOutput } from '../../bench/chaos/output-lines.js';
import { longestPause, type SessionRecord } from '../../bench/chaos/record.js';
import { exitCodeOf } from '../../bench/chaos/report.js';
import { seededRandom } from '../../bench/chaos/seeded-random.js';
import type { LogLine } from '../../contracts/nanocycle-records.js';

/** How `npm run chaos` reads a run (bench/chaos/): each finding must be able to fail. */

const stored = (...lines: [n: number | string, attempt: number][]): LogLine[] =>
  lines.map(([n, attempt], i) => ({
    seq: i + 1,
    run: 0,
    attempt,
    stream: 'stdout',
    line: typeof n === 'number' ? `chaos-line-${n}` : n,
    at: new Date(0).toISOString(),
  }));

describe('readOutput', () => {
  it('one run, every line once', () => {
    expect(readOutput(stored([1, 1], [2, 1], [3, 1]), 3)).toEqual({ runStarts: 1, lost: 0, duplicated: 0 });
  });

  it('a run started again from line 1 by a later attempt is a second run start, its lines not duplicates', () => {
    const lines = stored([1, 1], [2, 1], ['run restarted: attempt 2', 2], [1, 2], [2, 2], [3, 2]);
    lines[2]!.stream = 'tevis';
    expect(readOutput(lines, 3)).toEqual({ runStarts: 2, lost: 0, duplicated: 0 });
  });

  it('an attempt that goes on where the last stopped (re-attached) is the same run', () => {
    expect(readOutput(stored([1, 1], [2, 1], [3, 2]), 3)).toEqual({ runStarts: 1, lost: 0, duplicated: 0 });
  });

  it('a line stored twice within a run is a duplicate; a gap or a short last run is a loss', () => {
    expect(readOutput(stored([1, 1], [2, 1], [2, 1], [3, 1]), 3).duplicated).toBe(1);
    expect(readOutput(stored([1, 1], [3, 1]), 3).lost).toBe(1);
    expect(readOutput(stored([1, 1], [2, 1], [1, 2]), 3).lost).toBe(2);
    expect(readOutput([], 3)).toEqual({ runStarts: 0, lost: 3, duplicated: 0 });
  });
});

describe('longestPause', () => {
  it("is the longest stretch a session's record stood still, up to session.ending", () => {
    const at = (s: number) => new Date(s * 1000).toISOString();
    const event = (seq: number, type: string, s: number) => ({
      sessionId: 'a',
      seq,
      type,
      at: at(s),
      data: {},
    });
    const record = {
      events: [
        event(1, 'session.created', 0),
        event(2, 'nanocycle.queued', 1),
        event(3, 'session.ending', 9),
        event(4, 'session.ended', 60),
      ],
      output: new Map([['NC-001', stored([1, 1], [2, 1]).map((l, i) => ({ ...l, at: at(2 + i * 3) }))]]),
    } as unknown as SessionRecord;
    // 0, 1, 2, 5, 9: the longest stretch is 5 → 9; session.ending → session.ended does not count.
    expect(longestPause(record)).toBe(4);
  });
});

describe('the fault plan', () => {
  it('is the seed’s: the same seed gives the same plan, another seed another', () => {
    const plan = (seed: number) => planFaults(seededRandom(seed), DEFAULT_OPTIONS.faults, 2, [2000, 6000]);
    expect(plan(7)).toEqual(plan(7));
    expect(plan(7)).not.toEqual(plan(8));
    expect(
      plan(7)
        .map((f) => f.kind)
        .sort(),
    ).toEqual(
      ['api-kill', 'host-lost', 'postgres-restart', 'temporal-restart', 'worker-kill', 'worker-kill'].sort(),
    );
  });

  it('has small defaults and a random seed when none is given', () => {
    const options = parseChaosOptions([]);
    expect(options).toMatchObject({ sessions: 4, nanocycles: 3, lines: 8, executor: 'sandbox' });
    expect(options.faults).toEqual({
      'worker-kill': 2,
      'api-kill': 1,
      'temporal-restart': 1,
      'postgres-restart': 1,
      'host-lost': 1,
    });
    expect(options.hostLostSeconds).toBe(20);
    expect(Number.isInteger(options.seed)).toBe(true);
    expect(parseChaosOptions([]).seed).not.toBe(options.seed);
  });

  it('takes its counts and sizes from the flags, and names a bad one', () => {
    const options = parseChaosOptions([
      '--sessions',
      '20',
      '--nanocycles',
      '4',
      '--seed',
      '5',
      '--api-kills',
      '3',
    ]);
    expect(options).toMatchObject({ sessions: 20, nanocycles: 4, seed: 5, executor: 'sandbox', json: false });
    expect(options.faults['api-kill']).toBe(3);
    expect(() => parseChaosOptions(['--executor', 'vm'])).toThrow(/--executor takes sandbox or docker/);
    expect(() => parseChaosOptions(['--worker-kills', '1.5'])).toThrow(/--worker-kills takes a whole number/);
    // Two hosts: the run loses at most one.
    expect(parseChaosOptions(['--hosts-lost', '0']).faults['host-lost']).toBe(0);
    expect(() => parseChaosOptions(['--hosts-lost', '2'])).toThrow(/--hosts-lost takes 0 or 1/);
  });
});

describe('the checks', () => {
  const options = { ...DEFAULT_OPTIONS, seed: 1, faults: { ...DEFAULT_OPTIONS.faults } };
  const planned = Object.values(options.faults).reduce((a, b) => a + b, 0);
  const fault = {
    kind: 'api-kill' as const,
    target: 'api',
    at: 0,
    downSeconds: 1,
    observed: true,
    duringLoad: true,
  };
  const clean: Figures = {
    sessions: { expected: 4, ended: 4 },
    nanocycles: { expected: 12, merged: 12 },
    runs: {
      starts: 13,
      startedAgain: 1,
      restartedEvents: 1,
      reattachedEvents: 0,
      reasons: { 'worker-lost': 1 },
    },
    timeline: { events: 80, sessionsWithGaps: 0, streamMissing: 0, streamDuplicated: 0, reconnects: 4 },
    output: { lost: 0, duplicated: 0 },
    moves: { held: 2, moved: 2, restored: 3, lost: 1, lostThoughPushed: 0, nanocyclesCut: 1 },
    faults: Array.from({ length: planned }, () => ({ ...fault, recoverySeconds: 0.5 })),
    longestPause: { seconds: 3, sessionId: 'sess_a' },
  };
  const failing = (figures: Figures, opts = options) =>
    checksOf(opts, figures, [], [])
      .filter((c) => !c.ok)
      .map((c) => c.name);

  it('a clean run passes every check', () => {
    expect(failing(clean)).toEqual([]);
  });

  it('a failed check is exit code 1', () => {
    expect(exitCodeOf({ ok: true })).toBe(0);
    expect(exitCodeOf({ ok: false })).toBe(1);
  });

  it('each invariant fails on its own finding', () => {
    expect(failing({ ...clean, sessions: { expected: 4, ended: 3 } })).toEqual(['sessions ended']);
    expect(failing({ ...clean, nanocycles: { expected: 12, merged: 11 } })).toEqual(['nanocycles merged']);
    expect(failing({ ...clean, runs: { ...clean.runs, startedAgain: 2 } })).toEqual([
      'TPU runs started again',
    ]);
    expect(failing(clean, { ...options, executor: 'docker' })).toEqual(['TPU runs started again']);
    expect(failing({ ...clean, timeline: { ...clean.timeline, sessionsWithGaps: 1 } })).toEqual([
      'timeline seq gap-free 1..n',
    ]);
    expect(failing({ ...clean, timeline: { ...clean.timeline, streamDuplicated: 1 } })).toEqual([
      'SSE: every event once',
    ]);
    expect(failing({ ...clean, output: { lost: 1, duplicated: 0 } })).toEqual(['output lines once per run']);
    expect(failing({ ...clean, faults: clean.faults.slice(1) })).toEqual(['faults struck and seen']);
    expect(failing({ ...clean, moves: { ...clean.moves, moved: 1 } })).toEqual([
      'sessions moved off a lost host',
    ]);
    expect(failing({ ...clean, moves: { ...clean.moves, lostThoughPushed: 1 } })).toEqual([
      'sessions moved off a lost host',
    ]);
    expect(
      failing({ ...clean, faults: [{ ...clean.faults[0]!, observed: false }, ...clean.faults.slice(1)] }),
    ).toEqual(['faults struck and seen']);
    expect(
      failing({
        ...clean,
        faults: [{ ...clean.faults[0]!, recoverySeconds: null }, ...clean.faults.slice(1)],
      }),
    ).toEqual(['recovered after each fault']);
    const exit = { name: 'worker-1', exit: { code: 1, signal: null }, output: '' };
    expect(
      checksOf(options, clean, [exit], ['x'])
        .filter((c) => !c.ok)
        .map((c) => c.name),
    ).toEqual(['exits not caused by the run', 'load errors']);
  });
});
