import { nanocycleOutputIsOver } from '../contracts/stream-end.js';
import type { HoldPointRecord, LogLine, NanocycleRecord, TevisApiClient } from './api-client.js';
import { ApiProblemError } from './errors.js';
import { abortableDelay, followSequencedStream } from './event-stream.js';
import { streamUntil, type StreamUntilOptions } from './stream-until.js';

/** `pollMs`: how often the nanocycle's status is checked beside the stream. */
export interface FollowLogsOptions extends StreamUntilOptions {
  onLine(line: LogLine): void;
  /** The nanocycle's status changed (first call: its status when following began). */
  onStatus?(nc: NanocycleRecord, pendingHold: HoldPointRecord | null): void;
  onReconnect?(reason: string, delayMs: number): void;
}

const PAGE = 1000;

export function notFound(sessionId: string, nanocycleId: string): ApiProblemError {
  return new ApiProblemError(
    'not-found',
    404,
    `session ${sessionId} has no nanocycle ${nanocycleId}; \`tevis nanocycle list\` shows them`,
  );
}

/** Every line from `after` on, page by page (GET …/logs). */
export async function readLogLines(
  client: TevisApiClient,
  sessionId: string,
  nanocycleId: string,
  after: number,
  onLine: (line: LogLine) => void,
): Promise<number> {
  let cursor = after;
  for (;;) {
    const page = await client.nanocycleLogs(sessionId, nanocycleId, cursor, PAGE);
    for (const line of page) {
      if (line.seq <= cursor) continue;
      cursor = line.seq;
      onLine(line);
    }
    if (page.length < PAGE) return cursor;
  }
}

/**
 * Follows a nanocycle's output over SSE (resuming with Last-Event-ID after a drop) while it
 * checks the nanocycle's status every few seconds. Once the nanocycle will print nothing more,
 * the stream is closed and whatever it had not delivered yet is read by page, so the last lines
 * are never lost to the race between the stream and the status. Returns the nanocycle as it
 * ended, or null when stopped by the signal first.
 */
export async function followNanocycleLogs(
  client: TevisApiClient,
  sessionId: string,
  nanocycleId: string,
  options: FollowLogsOptions,
): Promise<NanocycleRecord | null> {
  let cursor = 0;
  const emit = (line: LogLine) => {
    if (line.seq <= cursor) return;
    cursor = line.seq;
    options.onLine(line);
  };
  let lastStatus: string | null = null;

  const check = async (): Promise<NanocycleRecord | undefined> => {
    const nc = (await client.listNanocycles(sessionId)).find((n) => n.id === nanocycleId);
    if (!nc) throw notFound(sessionId, nanocycleId);
    const key = `${nc.status}:${nc.finishedAt ?? ''}`;
    if (key !== lastStatus) {
      lastStatus = key;
      const holds =
        nc.status === 'awaiting_approval' || nc.status === 'conflict'
          ? await client.listHoldPoints(sessionId)
          : null;
      const pending = holds?.find((h) => h.nanocycleId === nanocycleId && h.status === 'pending') ?? null;
      options.onStatus?.(nc, pending);
    }
    return nanocycleOutputIsOver(nc) ? nc : undefined;
  };

  const ended = await streamUntil(
    (signal) =>
      followSequencedStream<LogLine>(
        (lastEventId, connection) => client.openLogStream(sessionId, nanocycleId, lastEventId, connection),
        {
          after: 0,
          onEvent: emit,
          onReconnect: options.onReconnect,
          signal,
          sleep: options.sleep,
        },
      ),
    check,
    options,
  );
  if (!ended) return null;
  // The lines written before the status changed that the stream had not brought yet.
  await readLogLines(client, sessionId, nanocycleId, cursor, emit);
  return ended;
}

/**
 * A nanocycle that just completed with a commit moves on at once: to its merge hold point, or
 * into the merge queue when it has none. Waits a few seconds for that, so what is said next (and
 * the hint) is true; returns the last status seen.
 */
export async function settledNanocycle(
  client: TevisApiClient,
  sessionId: string,
  nc: NanocycleRecord,
  options: { tries?: number; pollMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<NanocycleRecord> {
  const sleep = options.sleep ?? ((ms: number) => abortableDelay(ms));
  let current = nc;
  for (let i = 0; i < (options.tries ?? 10) && current.status === 'completed' && current.data.commit; i++) {
    await sleep(options.pollMs ?? 500);
    try {
      current = (await client.listNanocycles(sessionId)).find((n) => n.id === nc.id) ?? current;
    } catch {
      return current;
    }
  }
  return current;
}
