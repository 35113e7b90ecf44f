import type { Database } from '../../db/database.js';
import {
  appendLogLines,
  type LogStream,
  type PrintedLine,
  type RecordStream,
} from '../../db/nanocycle-logs-store.js';
import type { SplitLine } from './line-splitter.js';
import { TAIL_LINES } from './tpu-spec.js';

/**
 * Numbers a run's lines and writes them to the record in batches, one batch at a time so they
 * commit in seq order (a reader resuming after the last seq it saw then never skips one).
 *
 * Line i of the run (counted from the run's first line, 1-based) always gets seq `baseSeq + i`.
 * A retried attempt re-reads the output from the start, counts the same way, and skips the lines
 * an earlier attempt already stored; were it to write one again, the unique (session, nanocycle,
 * seq) index would drop it.
 */

/**
 * A batch goes out as soon as the one before it is stored (after the lines of the chunk being
 * read have been added), or at once when this many lines wait. A quiet TPU's line is stored, and
 * its readers woken, one round trip after it was printed; a busy one's lines gather behind the
 * write in flight, so the batches grow with the rate and the database is not asked once a line.
 */
const BATCH_LINES = 500;

/** Reading a run's output pauses while this many lines wait for the database, and goes on at the low mark. */
export const BACKLOG_HIGH = 20_000;
export const BACKLOG_LOW = 2_000;

export interface LogRecorderOptions {
  db: Database;
  sessionId: string;
  nanocycleId: string;
  run: number;
  /** The activity attempt writing: stored beside each line it writes. */
  attempt: number;
  /** The last seq of the nanocycle's earlier runs. */
  baseSeq: number;
  /** How many of this run's first lines are already in the record. */
  alreadyWritten: number;
  /** After each batch is stored, with the seq of its last line: the activity heartbeats it. */
  onWritten?: (seq: number) => void;
  /** An ACP agent's run: its runner's typed stdout lines are stored as stream `acp`. */
  acpLines?: boolean;
}

/** How every line of the ACP runner starts (tpu/acp/runner-lines.ts writes the tag first). */
const ACP_LINE_START = '{"tevis":"acp",';

export class LogRecorder {
  private count = 0;
  private readonly tailLines: string[] = [];
  private pending: PrintedLine[] = [];
  private pendingFrom = 0;
  private inFlight = 0;
  private writtenSeq: number;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Immediate | null = null;
  private failure: unknown = null;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: LogRecorderOptions) {
    this.writtenSeq = options.baseSeq + options.alreadyWritten;
  }

  add(printed: LogStream, line: SplitLine): void {
    const stream: RecordStream =
      this.options.acpLines && printed === 'stdout' && line.text.startsWith(ACP_LINE_START) ? 'acp' : printed;
    this.count += 1;
    this.tailLines.push(line.text);
    if (this.tailLines.length > TAIL_LINES) this.tailLines.shift();
    if (this.count <= this.options.alreadyWritten) return;
    if (this.pending.length === 0) this.pendingFrom = this.options.baseSeq + this.count;
    this.pending.push({ stream, line: line.text, at: line.at });
    if (this.pending.length >= BATCH_LINES) this.flushNow();
    else if (this.inFlight === 0) this.flushSoon();
  }

  addAll(stream: LogStream, lines: SplitLine[]): void {
    for (const line of lines) this.add(stream, line);
  }

  /** Lines of this run so far, including any an earlier attempt stored. */
  get lines(): number {
    return this.count;
  }

  get tail(): string[] {
    return [...this.tailLines];
  }

  /** The seq of the run's last line so far (baseSeq when it printed nothing). */
  get lastSeq(): number {
    return this.options.baseSeq + this.count;
  }

  /** The seq of the last line known to be stored. */
  get storedSeq(): number {
    return this.writtenSeq;
  }

  /** Lines accepted but not yet stored. */
  get backlog(): number {
    return this.pending.length + this.inFlight;
  }

  /** The first write error, if any: the executor stops and lets Temporal retry the activity. */
  get error(): unknown {
    return this.failure;
  }

  /** Resolves once the backlog is at most `limit` lines (or writing failed). */
  whenBacklogAtMost(limit: number): Promise<void> {
    if (this.backlog <= limit || this.failure) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.backlog <= limit || this.failure) {
          this.waiters.delete(check);
          resolve();
        }
      };
      this.waiters.add(check);
    });
  }

  /** Stores everything accepted so far; throws the write error if there was one. */
  async close(): Promise<void> {
    this.flushNow();
    await this.chain;
    if (this.failure) throw this.failure;
  }

  /** After the lines of the chunk being read: they go together. */
  private flushSoon(): void {
    this.timer ??= setImmediate(() => this.flushNow());
  }

  private flushNow(): void {
    if (this.timer) {
      clearImmediate(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0 || this.failure) return;
    const lines = this.pending;
    const fromSeq = this.pendingFrom;
    this.pending = [];
    this.inFlight += lines.length;
    const { db, sessionId, nanocycleId, run, attempt } = this.options;
    this.chain = this.chain.then(async () => {
      try {
        if (!this.failure) {
          await appendLogLines(db, { sessionId, nanocycleId, run, attempt, fromSeq, lines });
          this.writtenSeq = fromSeq + lines.length - 1;
          this.options.onWritten?.(this.writtenSeq);
        }
      } catch (error) {
        this.failure ??= error;
      } finally {
        this.inFlight -= lines.length;
        // What arrived while this batch was written goes next.
        if (this.pending.length > 0) this.flushSoon();
        for (const waiter of [...this.waiters]) waiter();
      }
    });
  }
}
