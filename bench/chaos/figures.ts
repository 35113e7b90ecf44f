import type { FaultRecord } from './faults.js';
import type { ChaosOptions } from './options.js';
import { readOutput } from './output-lines.js';
import { longestPause, recordTimes, type SessionRecord } from './record.js';

/** A fault with how long until the record next showed something happen (null: never). */
export interface RecoveredFault extends FaultRecord {
  recoverySeconds: number | null;
}

export interface Figures {
  sessions: { expected: number; ended: number };
  nanocycles: { expected: number; merged: number };
  runs: {
    starts: number;
    startedAgain: number;
    restartedEvents: number;
    reattachedEvents: number;
    /** The reasons `nanocycle.run_restarted` and `run_reattached` gave (worker-lost, …), counted. */
    reasons: Record<string, number>;
  };
  timeline: {
    events: number;
    sessionsWithGaps: number;
    streamMissing: number;
    streamDuplicated: number;
    reconnects: number;
  };
  output: { lost: number; duplicated: number };
  /**
   * A host lost for good: the open sessions it held, how many of them moved off it
   * (`workspace.moved` from it), the merged nanocycles the moves restored and lost, and the
   * nanocycles that failed with their host (queued again, their output cut short: left out above).
   */
  moves: {
    held: number;
    moved: number;
    restored: number;
    lost: number;
    /** Of those lost, the ones whose branch the session had pushed: work a move must never lose. */
    lostThoughPushed: number;
    nanocyclesCut: number;
  };
  faults: RecoveredFault[];
  /** The longest a session's record stood still while it had work, and which session. */
  longestPause: { seconds: number; sessionId: string | null };
}

const count = (records: SessionRecord[], type: string) =>
  records.reduce((n, r) => n + r.events.filter((e) => e.type === type).length, 0);

/** The figures of the run, from the record and what the stream clients received. */
export function figuresOf(options: ChaosOptions, records: SessionRecord[], faults: FaultRecord[]): Figures {
  const runs = {
    starts: 0,
    startedAgain: 0,
    restartedEvents: 0,
    reattachedEvents: 0,
    reasons: {} as Record<string, number>,
  };
  const output = { lost: 0, duplicated: 0 };
  const timeline = { events: 0, sessionsWithGaps: 0, streamMissing: 0, streamDuplicated: 0, reconnects: 0 };
  for (const r of records) {
    for (const [id, lines] of r.output) {
      if (r.hostLost.includes(id)) continue;
      const found = readOutput(lines, options.lines);
      runs.starts += found.runStarts;
      runs.startedAgain += Math.max(0, found.runStarts - 1);
      output.lost += found.lost;
      output.duplicated += found.duplicated;
    }
    const seqs = r.events.map((e) => e.seq);
    timeline.events += seqs.length;
    if (seqs.some((seq, i) => seq !== i + 1)) timeline.sessionsWithGaps += 1;
    const streamed = r.streamed.map((e) => e.seq);
    const once = new Set(streamed);
    timeline.streamDuplicated += streamed.length - once.size;
    timeline.streamMissing += seqs.filter((seq) => !once.has(seq)).length;
    timeline.reconnects += r.reconnects;
  }
  runs.restartedEvents = count(records, 'nanocycle.run_restarted');
  runs.reattachedEvents = count(records, 'nanocycle.run_reattached');
  for (const r of records)
    for (const e of r.events)
      if (e.type === 'nanocycle.run_restarted' || e.type === 'nanocycle.run_reattached')
        runs.reasons[e.data.reason] = (runs.reasons[e.data.reason] ?? 0) + 1;
  const moves = { held: 0, moved: 0, restored: 0, lost: 0, lostThoughPushed: 0, nanocyclesCut: 0 };
  const movedEvents = records.flatMap((r) =>
    r.events
      .filter((e) => e.type === 'workspace.moved')
      .map((e) => ({
        session: r.id,
        data: e.data,
        pushed: new Set(r.events.filter((p) => p.type === 'branch.pushed').map((p) => p.data.nanocycleId)),
      })),
  );
  for (const f of faults) {
    for (const session of f.heldSessions ?? []) {
      moves.held += 1;
      if (movedEvents.some((m) => m.session === session && m.data.from === f.target)) moves.moved += 1;
    }
  }
  for (const m of movedEvents) {
    moves.restored += m.data.restored.length;
    moves.lost += m.data.lost.length;
    moves.lostThoughPushed += m.data.lost.filter((id) => m.pushed.has(id)).length;
  }
  moves.nanocyclesCut = records.reduce((n, r) => n + r.hostLost.length, 0);
  const times = recordTimes(records);
  const pauses = records.map((r) => ({ seconds: longestPause(r), sessionId: r.id as string | null }));
  return {
    longestPause: pauses.reduce((a, b) => (b.seconds > a.seconds ? b : a), { seconds: 0, sessionId: null }),
    sessions: { expected: options.sessions, ended: records.filter((r) => r.status === 'ended').length },
    nanocycles: {
      expected: options.sessions * options.nanocycles,
      merged: records.reduce((n, r) => n + r.nanocycles.filter((nc) => nc.status === 'merged').length, 0),
    },
    runs,
    timeline,
    output,
    moves,
    faults: faults.map((f) => {
      const next = times.find((t) => t > f.at);
      return { ...f, recoverySeconds: next === undefined ? null : (next - f.at) / 1000 };
    }),
  };
}
