import { describe, expect, it } from 'vitest';
import { main } from '../../bench/chaos.js';
import type { ChaosReport } from '../../bench/chaos/report.js';
import { renderReport } from '../../bench/chaos/report.js';
import { FAULT_KINDS } from '../../bench/chaos/fault-plan.js';

/**
 * `npm run chaos` in its small configuration (issue 13 item 6): the script's own main, with
 * flags, on a stack of its own (Postgres, Temporal on a file, `tevis api`, two `tevis worker`,
 * the sandbox executor). Every invariant holds, and each kind of fault really struck: a run in
 * which a fault did not happen would prove nothing about it.
 */

const SMALL = ['--sessions', '2', '--nanocycles', '2', '--lines', '6', '--seed', '13'];
const ONE_OF_EACH = [
  '--worker-kills',
  '1',
  '--api-kills',
  '1',
  '--temporal-restarts',
  '1',
  '--postgres-restarts',
  '1',
];

describe('npm run chaos', () => {
  it('a bad flag is named, with the usage, and exits 2 before anything starts', async () => {
    let out = '';
    expect(await main(['--sessions', 'none'], (t) => (out += t))).toBe(2);
    expect(out).toBe('');
  });

  it('2 sessions × 2 nanocycles through a worker SIGKILL, an API SIGKILL, a Temporal and a Postgres restart: every invariant holds', async () => {
    let out = '';
    const code = await main([...SMALL, ...ONE_OF_EACH, '--json'], (t) => (out += t));
    const report = JSON.parse(out) as ChaosReport;
    const failed = report.checks.filter((c) => !c.ok);
    expect(failed, renderReport(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
    expect(report.seed).toBe(13);

    const { figures } = report;
    for (const kind of FAULT_KINDS) {
      const struck = figures.faults.filter((f) => f.kind === kind && f.observed);
      expect(struck, kind).toHaveLength(1);
      expect(struck[0]!.recoverySeconds, kind).not.toBeNull();
    }
    // The first fault strikes once the first nanocycle is queued, while the load runs.
    expect(figures.faults[0]!.duringLoad).toBe(true);
    expect(figures.sessions).toEqual({ expected: 2, ended: 2 });
    expect(figures.nanocycles).toEqual({ expected: 4, merged: 4 });
    expect(figures.timeline).toMatchObject({ sessionsWithGaps: 0, streamMissing: 0, streamDuplicated: 0 });
    // The API was killed under the open streams: the clients reconnected with Last-Event-ID.
    expect(figures.timeline.reconnects).toBeGreaterThan(0);
    expect(figures.output).toEqual({ lost: 0, duplicated: 0 });
    // The sandbox starts a lost worker's run again and says so: every restart is on the timeline.
    expect(figures.runs.restartedEvents).toBeGreaterThanOrEqual(figures.runs.startedAgain);
    expect(figures.runs.starts).toBeGreaterThanOrEqual(4);

    const table = renderReport(report);
    expect(table).toContain('chaos run, seed 13: 2 sessions × 2 nanocycles on the sandbox executor');
    for (const column of ['fault', 'target', 'down s', 'recovered after s', 'during load'])
      expect(table).toContain(column);
    expect(table).toContain('every invariant held');
  }, 600_000);
});
