import { acpLineParts } from '../contracts/acp-line-text.js';
import type { LogLine, SessionLogLine } from './api-client.js';
import { logLineDestination } from './render/nanocycle.js';

export interface LineSink {
  stdout(text: string): void;
  stderr(text: string): void;
}

interface PrintedAs<Line extends LogLine> {
  /** The line in words (renderLogLine, renderSessionLogLine). */
  render(line: Line): string;
  /** What starts each printed line (`NC-001  ` in the session's output). */
  prefix(line: Line): string;
}

/** The message or thought piece a line is, if that is all it is. */
function chunkOf(line: LogLine) {
  if (line.stream !== 'acp') return null;
  const parts = acpLineParts(line.line);
  const [part] = parts;
  return parts.length === 1 && part?.chunk !== undefined ? { ...part, chunk: part.chunk } : null;
}

/**
 * Prints output lines for `nanocycle logs` and `session output`, stderr's to stderr. An ACP agent
 * streams a message (or a thought) in small pieces, a stored line each: printed a line each they
 * would read as a column of fragments, so pieces that follow each other (same nanocycle, same
 * kind) run on as one text. Whatever else comes is printed on a line of its own: call `end()`
 * before writing anything besides lines (a note), so it does not land in the middle of a text.
 */
export function outputLinePrinter<Line extends LogLine | SessionLogLine>(
  sink: LineSink,
  as: PrintedAs<Line>,
): { print(line: Line): void; end(): void } {
  let running: string | null = null;
  // A piece's last newline waits for what follows: the next piece (then the prefix after it) or the end.
  let held = false;
  const end = () => {
    if (running === null) return;
    sink.stdout('\n');
    running = null;
    held = false;
  };
  return {
    print(line) {
      const chunk = chunkOf(line);
      if (!chunk) {
        end();
        sink[logLineDestination(line)](`${as.render(line)}\n`);
        return;
      }
      const prefix = as.prefix(line);
      const key = `${'nanocycleId' in line ? line.nanocycleId : ''} ${chunk.kind}`;
      let text: string;
      if (running === key) text = `${held ? '\n' : ''}${chunk.chunk}`;
      else {
        end();
        text = `${prefix}${chunk.text}`;
      }
      held = text.endsWith('\n');
      sink.stdout((held ? text.slice(0, -1) : text).replace(/\n/g, `\n${prefix}`));
      running = key;
    },
    end,
  };
}

export const processSink: LineSink = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};
