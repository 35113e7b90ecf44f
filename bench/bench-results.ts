import { writeFileSync } from 'node:fs';

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
}

/** The rows of one `npm run bench`, printed as they come and written to bench/results.json at the end. */
export class BenchResults {
  readonly rows: BenchRow[] = [];

  add(row: Omit<BenchRow, 'ratio'>): void {
    const full = { ...row, ratio: row.figure / row.baseline };
    this.rows.push(full);
    console.log(
      `${row.name.padEnd(38)} ${row.figure.toFixed(2).padStart(9)} ${row.unit}   ${row.baselineName.padEnd(38)} ${row.baseline.toFixed(2).padStart(9)} ${row.unit}   ratio ${full.ratio.toFixed(2)}x   (${row.rounds} rounds)`,
    );
  }

  write(file: string, meta: Record<string, unknown>): void {
    writeFileSync(file, `${JSON.stringify({ ...meta, rows: this.rows }, null, 2)}\n`);
  }
}
