import type { LogLine } from '../../contracts/nanocycle-records.js';
import { LINE_PREFIX } from './load.js';

/** What a nanocycle's stored output says about its runs and its numbered lines. */
export interface OutputFindings {
  /** Times the command started printing from line 1: more than one is a run started again. */
  runStarts: number;
  /** Numbered lines the last run never stored. */
  lost: number;
  /** Numbered lines stored twice within one run (a re-attached attempt counts as the same run). */
  duplicated: number;
}

/**
 * Reads the numbered lines in the order they were stored. A run starts again when an attempt's
 * first line is line 1 once earlier lines were stored (the sandbox starts a lost worker's command
 * again); an attempt that goes on where the last stopped is the same run re-attached (docker).
 * Within a run, each line n must follow n − 1: a repeat is a duplicate, a jump is a loss; the
 * last run must reach `lines`.
 */
export function readOutput(stored: LogLine[], lines: number): OutputFindings {
  const numbered = stored
    .filter((l) => l.stream === 'stdout' && l.line.startsWith(LINE_PREFIX))
    .sort((a, b) => a.seq - b.seq)
    .map((l) => ({ n: Number(l.line.slice(LINE_PREFIX.length)), attempt: l.attempt }));
  const findings: OutputFindings = { runStarts: numbered.length ? 1 : 0, lost: 0, duplicated: 0 };
  let last = 0;
  let attempt = numbered[0]?.attempt;
  for (const { n, attempt: a } of numbered) {
    if (a !== attempt && n === 1 && last > 0) {
      findings.runStarts += 1;
      last = 0;
    }
    attempt = a;
    if (n <= last) findings.duplicated += 1;
    else {
      findings.lost += n - last - 1;
      last = n;
    }
  }
  findings.lost += lines - last;
  return findings;
}
