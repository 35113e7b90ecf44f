import { setTimeout as sleep } from 'node:timers/promises';
import type { TimelineEvent } from '../../contracts/timeline.js';
import { openSse } from '../../test/support/sse-client.js';

export interface TimelineFollower {
  /** Every event received, in arrival order, over all connections. */
  received: TimelineEvent[];
  /** How many times the stream was opened again after it broke. */
  reconnects(): number;
  /** Resolves when the server ended the stream (the session is over), or `stop()` was called. */
  done: Promise<void>;
  stop(): void;
}

/**
 * An SSE client kept open on a session's timeline through the faults, as a browser's EventSource
 * is: when the stream breaks (the API killed, Postgres gone) it connects again with Last-Event-ID
 * set to the last event it got, until the server ends the stream or answers 204.
 */
export function followTimeline(apiUrl: string, token: string, sessionId: string): TimelineFollower {
  const received: TimelineEvent[] = [];
  let reconnects = 0;
  let stopped = false;
  const url = `${apiUrl}/sessions/${sessionId}/events/stream`;
  const done = (async () => {
    for (let first = true; !stopped; first = false) {
      if (!first) {
        reconnects += 1;
        // EventSource's own retry pause is a few seconds; a shorter one catches more of the faults.
        await sleep(500);
      }
      const lastEventId = received.length ? String(received.at(-1)!.seq) : undefined;
      const stream = await openSse<TimelineEvent>(url, { token, lastEventId }).catch(() => undefined);
      if (!stream) continue;
      if (stream.status === 204) return;
      if (stream.status !== 200) {
        await stream.close();
        continue;
      }
      // until() gives up at the kit's hang timeout on a quiet stream: then it is opened again.
      await stream.until('the stream to end', () => stopped || stream.closedByServer()).catch(() => {});
      await stream.close();
      received.push(...stream.items);
      if (stream.endReason() !== null) return;
    }
  })();
  return {
    received,
    reconnects: () => reconnects,
    done,
    stop: () => {
      stopped = true;
    },
  };
}
