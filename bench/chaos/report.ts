import { renderTable } from '../../cli/output.js';
import type { Check } from './checks.js';
import type { Figures } from './figures.js';
import type { ChaosOptions } from './options.js';
import type { UnplannedExit } from './supervised-process.js';

/** What `npm run chaos` prints at the end (`--json`: this object). */
export interface ChaosReport {
  seed: number;
  options: ChaosOptions;
  seconds: number;
  figures: Figures;
  checks: Check[];
  /** Every check holds. */
  ok: boolean;
  unplannedExits: UnplannedExit[];
  loadErrors: string[];
  /** Where the run's stack lived; kept when a check failed, for its logs. */
  dir: string;
}

/** The script's exit code: 0 when every check held, 1 when one failed (2, a bad flag, is main's). */
export function exitCodeOf(report: Pick<ChaosReport, 'ok'>): number {
  return report.ok ? 0 : 1;
}

export function renderReport(report: ChaosReport): string {
  const { options, figures } = report;
  const faults = renderTable(
    ['#', 'fault', 'target', 'down s', 'recovered after s', 'during load'],
    figures.faults.map((f, i) => [
      String(i + 1),
      f.kind,
      f.target,
      f.downSeconds.toFixed(1),
      f.recoverySeconds === null ? 'never' : f.recoverySeconds.toFixed(2),
      f.duringLoad ? 'yes' : 'no',
    ]),
  );
  const checks = renderTable(
    ['check', 'result', ''],
    report.checks.map((c) => [c.name, c.value, c.ok ? 'ok' : 'FAILED']),
  );
  const exits = report.unplannedExits.map(
    (e) => `${e.name} exited (${e.exit.code ?? e.exit.signal}):\n${e.output}`,
  );
  return [
    `chaos run, seed ${report.seed}: ${options.sessions} sessions × ${options.nanocycles} nanocycles on ` +
      `the ${options.executor} executor, ${report.seconds.toFixed(0)} s`,
    '',
    faults,
    '',
    `longest pause on one session's record: ${figures.longestPause.seconds.toFixed(1)} s (${figures.longestPause.sessionId ?? 'none'})`,
    '',
    checks,
    ...report.loadErrors.map((e) => `load error: ${e}`),
    ...exits,
    '',
    report.ok ? 'every invariant held' : `AN INVARIANT FAILED (stack kept in ${report.dir})`,
  ].join('\n');
}
