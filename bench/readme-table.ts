import { execFileSync } from 'node:child_process';
/**
 * The README's Performance table, made from bench/results.json: `npm run bench` calls it at the
 * end; `npx tsx bench/readme-table.ts` does it by hand. Only the lines between the two markers change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './bench-results.js';

const START = '<!-- bench-table:start -->';
const END = '<!-- bench-table:end -->';

const number = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2));

export function benchTable(rows: BenchRow[]): string {
  const lines = [
    '| Figure | Measured | Baseline (same run) | Baseline | Ratio | Rounds | Date |',
    '| --- | ---: | --- | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${number(r.figure)} ${r.unit} | ${r.baselineName} | ${number(r.baseline)} ${r.unit} | ${r.ratio.toFixed(2)}× | ${r.rounds} | ${r.at?.slice(0, 10) ?? ''} |`,
    ),
  ];
  return lines.join('\n');
}

/** Rewrites the table between the markers in `readme`; a README without them is left alone. */
export function writeReadmeTable(resultsFile: string, readme: string): void {
  const { rows } = JSON.parse(readFileSync(resultsFile, 'utf8')) as { rows: BenchRow[] };
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) {
    console.error(`${readme} has no ${START} … ${END}; the Performance table was not written`);
    return;
  }
  writeFileSync(readme, `${text.slice(0, start + START.length)}\n${benchTable(rows)}\n${text.slice(end)}`);
  // The README is formatted (npm test checks it): align the new table's columns as the formatter does.
  execFileSync('npx', ['biome', 'format', '--write', readme], { stdio: 'ignore' });
  console.log(`the Performance table in ${readme} is up to date`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  writeReadmeTable(`${root}bench/results.json`, `${root}README.md`);
}
