/**
 * Turns one output stream's chunks into lines. Works on bytes and decodes whole lines only, so a
 * UTF-8 character split across two chunks comes out intact. Deterministic in the bytes alone
 * (never in where chunks happen to break): the docker executor re-reads a container's output
 * after a retry and must get the same lines, numbered the same way.
 */

/** A longer line is cut into pieces of this many bytes: one runaway line must not fill memory or a row. */
export const MAX_LINE_BYTES = 64 * 1024;

export interface SplitLine {
  text: string;
  /** When the line's first byte arrived (or was printed, when the source says so). */
  at: Date;
}

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private startedAt: Date | null = null;

  /** Adds a chunk that arrived (or was printed) at `at`; returns the lines it completed. */
  push(chunk: Buffer, at: Date): SplitLine[] {
    const lines: SplitLine[] = [];
    let from = 0;
    while (from < chunk.length) {
      this.startedAt ??= at;
      const newline = chunk.indexOf(0x0a, from);
      const end = newline === -1 ? chunk.length : newline;
      const room = MAX_LINE_BYTES - this.size;
      if (end - from > room) {
        // Fill the line to the limit and emit it as a piece; the rest starts a new line.
        this.append(chunk.subarray(from, from + room));
        lines.push(this.take());
        from += room;
        continue;
      }
      this.append(chunk.subarray(from, end));
      if (newline === -1) break;
      lines.push(this.take());
      from = newline + 1;
    }
    return lines;
  }

  /** The unterminated last line, if the stream ended without a newline. */
  end(): SplitLine[] {
    return this.size > 0 ? [this.take()] : [];
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  private take(): SplitLine {
    let text = Buffer.concat(this.parts, this.size).toString('utf8');
    // Windows line endings: the carriage return is not part of the line.
    if (text.endsWith('\r')) text = text.slice(0, -1);
    const line = { text, at: this.startedAt ?? new Date() };
    this.parts = [];
    this.size = 0;
    this.startedAt = null;
    return line;
  }
}
