import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../bench/chaos.js';
import { FAULT_KINDS } from '../../bench/chaos/fault-plan.js';
import { type ChaosReport, renderReport } from '../../bench/chaos/report.js';
import { REPO_ROOT } from '../support/repo-paths.js';

/**
 * `npm run chaos` in its small configuration (issue 13 item 6): the script's own main, with
 * flags, on a stack of its own (Postgres, Temporal on a file, `tevis api`, two `tevis worker`
 * hosts with homes of their own, one of which is lost for good).
 * Every invariant holds, and each kind of fault really struck: a run in which a fault did not
 * happen would prove nothing about it.
 */

const SMALL = ['--sessions', '2', '--nanocycles', '2', '--lines', '6'];
const ONE_OF_EACH = [
  ...['--worker-kills', '1', '--api-kills', '1'],
  ...['--temporal-restarts', '1', '--postgres-restarts', '1', '--hosts-lost', '1'],
];

async function chaosRun(flags: string[]): Promise<ChaosReport> {
  let out = '';
  const code = await main([...SMALL, ...ONE_OF_EACH, ...flags, '--json'], (t) => (out += t));
  const report = JSON.parse(out) as ChaosReport;
  expect(
    report.checks.filter((c) => !c.ok),
    renderReport(report),
  ).toEqual([]);
  expect(report.ok).toBe(true);
  expect(code).toBe(0);

  // Its own stack, in a directory of its own under .cache/, removed after a run that passed.
  expect(report.dir.startsWith(join(REPO_ROOT, '.cache', 'tevis-chaos'))).toBe(true);
  expect(existsSync(report.dir)).toBe(false);
  const { figures } = report;
  expect(figures.faults.map((f) => f.target).sort()).toEqual(
    expect.arrayContaining(['api', 'postgres', 'temporal']),
  );
  expect(figures.faults.find((f) => f.kind === 'worker-kill')!.target).toMatch(/^host-[12]$/);
  // The lost host held open sessions (the one holding most is taken): each moved off it, and no
  // merged work that had been pushed was lost (what was merged but not yet pushed may be).
  const lost = figures.faults.find((f) => f.kind === 'host-lost')!;
  expect(lost.target).toMatch(/^host-[12]$/);
  expect(lost.heldSessions!.length).toBeGreaterThan(0);
  expect(figures.moves.moved).toBe(lost.heldSessions!.length);
  expect(figures.moves.lostThoughPushed).toBe(0);
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
  expect(figures.runs.starts).toBeGreaterThanOrEqual(4);
  return report;
}

describe('npm run chaos', () => {
  it('a bad flag is named, with the usage, and exits 2 before anything starts', async () => {
    let out = '';
    expect(await main(['--sessions', 'none'], (t) => (out += t))).toBe(2);
    expect(out).toBe('');
  });

  it('sandbox: 2 sessions × 2 nanocycles through a worker SIGKILL, an API SIGKILL, a Temporal and a Postgres restart, and a host lost for good', async () => {
    const report = await chaosRun(['--seed', '13']);
    expect(report.seed).toBe(13);
    // The sandbox starts a lost worker's run again and says so: every restart is on the timeline.
    expect(report.figures.runs.restartedEvents).toBeGreaterThanOrEqual(report.figures.runs.startedAgain);

    const table = renderReport(report);
    expect(table).toContain('chaos run, seed 13: 2 sessions × 2 nanocycles on the sandbox executor');
    for (const column of ['fault', 'target', 'down s', 'recovered after s', 'during load'])
      expect(table).toContain(column);
    for (const check of report.checks) expect(table).toContain(check.name);
    expect(table).toContain("longest pause on one session's record:");
    expect(report.figures.longestPause.seconds).toBeGreaterThan(0);
    expect(table).toContain('every invariant held');
  }, 600_000);

  it('docker: the same faults, and no run is started twice (a run re-attaches to its container)', async () => {
    const report = await chaosRun(['--seed', '14', '--executor', 'docker']);
    expect(report.options.executor).toBe('docker');
    expect(report.figures.runs.startedAgain).toBe(0);
  }, 600_000);
});
