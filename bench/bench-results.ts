import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** One figure beside its baseline, measured in the same run. */
export interface BenchRow {
  name: string;
  figure: number;
  baselineName: string;
  baseline: number;
  /** figure / baseline */
  ratio: number;
  unit: string;
  /** How many measurements the figure and the baseline are each the median (or percentile) of. */
  rounds: number;
  /** The bench/figures/ file (or bench/idle-sessions.ts) that measured it. */
  group?: string;
  /** When it was measured. */
  at?: string;
}

/** The rows of one `npm run bench`, printed as they come and written to bench/results.json at the end. */
export class BenchResults {
  readonly rows: BenchRow[] = [];

  add(row: Omit<BenchRow, 'ratio'>): void {
    const full = { ...row, ratio: row.figure / row.baseline, at: new Date().toISOString() };
    this.rows.push(full);
    console.log(
      `${row.name.padEnd(38)} ${row.figure.toFixed(2).padStart(9)} ${row.unit}   ${row.baselineName.padEnd(38)} ${row.baseline.toFixed(2).padStart(9)} ${row.unit}   ratio ${full.ratio.toFixed(2)}x   (${row.rounds} rounds)`,
    );
  }

  /** Names the figure file of the rows added since `from`. */
  label(from: number, group: string): void {
    for (const row of this.rows.slice(from)) row.group = group;
  }

  /**
   * Writes this run's rows; the rows of figures it did not run stay as the file had them (with
   * their own dates), so running one figure, or the idle sessions alone, keeps the whole table.
   */
  write(file: string, meta: Record<string, unknown>): void {
    const ran = new Set(this.rows.map((row) => row.group));
    const earlier: BenchRow[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')).rows ?? []) : [];
    const kept = earlier.filter((row) => row.group !== undefined && !ran.has(row.group));
    writeFileSync(file, `${JSON.stringify({ ...meta, rows: [...kept, ...this.rows] }, null, 2)}\n`);
  }
}
