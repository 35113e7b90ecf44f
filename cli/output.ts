import Table from 'cli-table3';

/**
 * How a command's result reaches stdout. With `--json` every command prints one JSON document
 * (a script parses it); otherwise the human rendering, which is only built when needed.
 */
export interface Output {
  readonly json: boolean;
  result(data: unknown, human: () => string): void;
  /** Human-only text (hints, notes): nothing in `--json` mode, so stdout stays parseable. */
  note(text: string): void;
}

export function createOutput(
  json: boolean,
  write: (text: string) => void = (text) => process.stdout.write(text),
): Output {
  const line = (text: string) => write(text.endsWith('\n') ? text : `${text}\n`);
  return {
    json,
    result(data, human) {
      if (json) line(JSON.stringify(data, null, 2));
      else line(human());
    },
    note(text) {
      if (!json) line(text);
    },
  };
}

/** No borders, two spaces between columns: reads like `ps` or `git branch`, and greps well. */
const BORDERLESS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

export function renderTable(head: string[], rows: string[][]): string {
  // No colours: the output is as often piped as read, and plain text is the same in both.
  const table = new Table({
    head,
    chars: BORDERLESS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  table.push(...rows);
  return table
    .toString()
    .split('\n')
    .map((row) => row.trimEnd())
    .join('\n');
}

/** `Label:  value` lines with the values aligned, as `session info` and `project show` print. */
export function renderFields(fields: [label: string, value: string][], indent = ''): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length)) + 1;
  return fields
    .map(([label, value]) => `${indent}${`${label}:`.padEnd(width)}  ${value}`)
    .join('\n')
    .replace(/[ \t]+$/gm, '');
}

/** Local time to the minute: precise enough to recognise a session, short enough for a table. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
