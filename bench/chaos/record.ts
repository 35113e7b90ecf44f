import type { LogLine, NanocycleRecord } from '../../contracts/nanocycle-records.js';
import type { TimelineEvent } from '../../contracts/timeline.js';
import type { ApiClient } from '../../test/support/api-client.js';
import type { SessionLoad } from './load.js';

/** What the record holds about one session of the run once it is over, read through the API. */
export interface SessionRecord {
  id: string;
  status: string;
  events: TimelineEvent[];
  nanocycles: NanocycleRecord[];
  /** Each nanocycle's stored output, by nanocycle id. */
  output: Map<string, LogLine[]>;
  /** What the SSE client kept open through the faults received. */
  streamed: TimelineEvent[];
  reconnects: number;
  /** Nanocycles whose host was lost for good under them (each queued again). */
  hostLost: string[];
  loadError?: string;
}

export async function readRecord(http: ApiClient, load: SessionLoad): Promise<SessionRecord> {
  const [reply, events, nanocycles] = await Promise.all([
    http.session(load.id),
    http.events(load.id),
    http.nanocycles(load.id),
  ]);
  const output = new Map<string, LogLine[]>();
  for (const nc of nanocycles) output.set(nc.id, await http.logLines(load.id, nc.id));
  return {
    id: load.id,
    status: reply.session.status,
    events,
    nanocycles,
    output,
    streamed: load.follower.received,
    reconnects: load.follower.reconnects(),
    hostLost: load.hostLost,
    loadError: load.error,
  };
}

/** Every moment the record says something happened: event times and output line times (ms). */
export function recordTimes(records: SessionRecord[]): number[] {
  const times: number[] = [];
  for (const r of records) {
    for (const e of r.events) times.push(Date.parse(e.at));
    for (const lines of r.output.values()) for (const l of lines) times.push(Date.parse(l.at));
  }
  return times.sort((a, b) => a - b);
}

/**
 * The longest stretch (s) in which one session's record showed nothing new while it still had
 * work (up to its `session.ending`): a session a fault stalled shows here, though the others went on.
 */
export function longestPause(record: SessionRecord): number {
  const ending = record.events.find((e) => e.type === 'session.ending');
  const until = ending ? Date.parse(ending.at) : Number.POSITIVE_INFINITY;
  const times = recordTimes([record]).filter((t) => t <= until);
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
  return longest / 1000;
}
