import type { SessionLogLine } from '../contracts/nanocycle-records.js';
import { sessionIsOver } from '../contracts/stream-end.js';
import { advanceOutputCursor, formatOutputCursor, type OutputCursor } from '../contracts/output-cursor.js';
import type { TevisApiClient } from './api-client.js';
import { followResumableStream } from './event-stream.js';
import { streamUntil, type StreamUntilOptions } from './stream-until.js';

const PAGE = 1000;

const advance = (cursor: OutputCursor, line: SessionLogLine): OutputCursor | null => {
  const next = advanceOutputCursor(cursor, line);
  return next === cursor ? null : next;
};

/** Every line after `after`, page by page (GET …/output); returns the cursor after the last. */
export async function readSessionOutput(
  client: TevisApiClient,
  sessionId: string,
  after: OutputCursor,
  onLine: (line: SessionLogLine) => void,
): Promise<OutputCursor> {
  let cursor = after;
  for (;;) {
    const page = await client.sessionOutput(sessionId, formatOutputCursor(cursor), PAGE);
    for (const line of page.lines) {
      const next = advance(cursor, line);
      if (next === null) continue;
      cursor = next;
      onLine(line);
    }
    if (page.lines.length === 0) return cursor;
  }
}

/** `pollMs`: how often the session's status is checked beside the stream. */
export interface FollowSessionOutputOptions extends StreamUntilOptions {
  onLine(line: SessionLogLine): void;
  onReconnect?(reason: string, delayMs: number): void;
}

/**
 * Follows the output of all a session's nanocycles over SSE (resuming by output cursor after a
 * drop) while it checks the session's status. Once the session has ended the stream is closed
 * and what it had not delivered yet is read by page, so the last lines are never lost. Returns
 * the session's final status, or null when stopped by the signal first.
 */
export async function followSessionOutput(
  client: TevisApiClient,
  sessionId: string,
  options: FollowSessionOutputOptions,
): Promise<string | null> {
  let cursor: OutputCursor = {};
  const emit = (line: SessionLogLine) => {
    const next = advance(cursor, line);
    if (next === null) return;
    cursor = next;
    options.onLine(line);
  };
  const check = async () => {
    const { session } = await client.getSession(sessionId);
    return sessionIsOver(session.status) ? session.status : undefined;
  };
  const ended = await streamUntil(
    (signal) =>
      followResumableStream<SessionLogLine, OutputCursor>(
        (at, connection) => client.openOutputStream(sessionId, formatOutputCursor(at), connection),
        {
          start: {},
          advance,
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
  // The lines written before the session ended that the stream had not brought yet.
  await readSessionOutput(client, sessionId, cursor, emit);
  return ended;
}
