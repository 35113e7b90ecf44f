import { spawn } from 'node:child_process';
import { createParser } from 'eventsource-parser';

/**
 * Where the output-latency figures read lines: each line a TPU printed is the wall-clock time it
 * was printed at (`date +%s%N`), and each arrival is stamped the moment it is parsed, so
 * receive − print is the line's whole way from the program to the reader.
 */

/** Prints `lines` timestamps `gapMs` apart, after a second for the readers to connect. */
export function timestampScript(lines: number, gapMs: number): string {
  return `sleep 1; for i in $(seq 1 ${lines}); do date +%s%N; sleep ${gapMs / 1000}; done`;
}

/** Now, on the same clock as `date +%s%N`, in milliseconds with a fraction. */
const nowMs = () => performance.timeOrigin + performance.now();

/** receive − print (ms) of one line that is a `date +%s%N` timestamp. */
const delayOf = (line: string, receivedAt: number) => receivedAt - Number(line.trim()) / 1e6;

export interface ReceivedLine {
  line: string;
  /** The activity attempt that stored it. */
  attempt: number;
  /** When it was parsed here, on the clock of `date +%s%N`, in ms. */
  at: number;
}

export interface SseLines {
  /** Every stdout line received so far, in order. */
  received: ReceivedLine[];
  /** When the stream answered. */
  openedAt: number;
  /** Resolves once `count` lines came (or the stream ended), then stops reading. */
  done: Promise<void>;
}

/** An SSE stream's stdout lines (`data.line`), each stamped when it was parsed, read with fetch. */
export async function sseLines(url: string, token: string, count: number): Promise<SseLines> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`${url}: ${response.status}`);
  const openedAt = nowMs();
  const received: ReceivedLine[] = [];
  const parser = createParser({
    onEvent(message) {
      const at = nowMs();
      if (message.event !== 'stdout') return;
      const { line, attempt } = JSON.parse(message.data) as { line: string; attempt: number };
      received.push({ line, attempt, at });
    },
  });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const done = (async () => {
    try {
      while (received.length < count) {
        const { done: ended, value } = await reader.read();
        if (ended) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } finally {
      controller.abort();
    }
  })();
  return { received, openedAt, done: done.catch(() => {}) };
}

/** receive − print (ms) of the timestamp lines printed once the stream was open. */
export function delaysOf(lines: SseLines): number[] {
  return lines.received
    .filter((r) => /^\d+$/.test(r.line) && Number(r.line) / 1e6 >= lines.openedAt)
    .map((r) => delayOf(r.line, r.at));
}

/** The baseline: the same script's lines read from a bare pipe by this process. */
export function pipeArrivals(script: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const delays: number[] = [];
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const receivedAt = nowMs();
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (/^\d+$/.test(line.trim())) delays.push(delayOf(line, receivedAt));
    });
    child.on('error', reject);
    child.on('close', () => resolve(delays));
  });
}
