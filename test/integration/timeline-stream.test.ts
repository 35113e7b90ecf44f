import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventSourceMessage } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGitFixture, type GitFixture } from '../support/git-fixtures.js';
import { openSse } from '../support/sse-client.js';
import {
  createActiveSession,
  createProject,
  startHarness,
  type DatabaseKind,
  type Harness,
} from '../support/tevis-harness.js';

/**
 * The live timeline (GET /sessions/:id/events/stream): events arrive while connected; a client
 * that drops and comes back with `Last-Event-ID` gets every event it missed, once, in order, so
 * that what it saw over both connections is exactly GET /sessions/:id/events.
 */

interface TimelineEvent {
  sessionId: string;
  seq: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

interface StreamClient {
  /** The SSE messages as they arrived. */
  messages: EventSourceMessage[];
  /** Their data, parsed. */
  events: TimelineEvent[];
  lastSeq(): number;
  endReason(): string | null;
  closedByServer(): boolean;
  /** Resolves once `done(events)` holds; fails only on a hang. */
  until(what: string, done: (events: TimelineEvent[]) => boolean): Promise<void>;
  /** Drops the connection, as a client going away would. */
  close(): Promise<void>;
}

async function openStream(
  h: Harness,
  sessionId: string,
  options: { lastEventId?: number; after?: number; dropAfter?: number } = {},
): Promise<StreamClient> {
  const query = options.after !== undefined ? `?after=${options.after}` : '';
  const sse = await openSse<TimelineEvent>(`${h.apiUrl}/sessions/${sessionId}/events/stream${query}`, {
    token: h.token,
    lastEventId: options.lastEventId === undefined ? undefined : String(options.lastEventId),
    dropAfter: options.dropAfter,
  });
  expect(sse.status).toBe(200);
  expect(sse.contentType).toContain('text/event-stream');
  return {
    messages: sse.messages,
    events: sse.items,
    lastSeq: () => sse.items.at(-1)?.seq ?? 0,
    endReason: sse.endReason,
    closedByServer: sse.closedByServer,
    until: sse.until,
    close: sse.close,
  };
}

function streamSuite(kind: DatabaseKind) {
  let h: Harness;
  let fx: GitFixture;
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), `tevis-stream-${kind}-`));
    [h, fx] = await Promise.all([
      startHarness({ database: kind, label: `stream-${kind}` }),
      makeGitFixture(join(scratch, 'git')),
    ]);
    await Promise.all([
      createProject(h, { name: 'streamed', repository: fx.remote }),
      createProject(h, { name: 'neighbour', repository: fx.remote }),
    ]);
  });

  afterAll(async () => {
    await h?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  const ok = async (method: string, path: string, body?: unknown) => {
    const reply = await h.call(method, path, body);
    if (reply.status !== 200) throw new Error(`${method} ${path} answered ${reply.status}: ${reply.text}`);
    return reply;
  };

  /** Four timeline events per cycle: paused, file.edited, resumed, file.edited. */
  const cycles = async (id: string, from: number, to: number) => {
    for (let i = from; i <= to; i++) {
      await ok('POST', `/sessions/${id}/pause`);
      await ok(
        'PUT',
        `/sessions/${id}/files?path=${encodeURIComponent(`notes/cycle-${i}.md`)}`,
        `cycle ${i}\n`,
      );
      await ok('POST', `/sessions/${id}/resume`);
      await ok('PUT', `/sessions/${id}/files?path=notes/log.md`, `last cycle ${i}\n`);
    }
  };

  const listEvents = async (id: string): Promise<TimelineEvent[]> =>
    (await ok('GET', `/sessions/${id}/events`)).json.events;

  it('resumed with Last-Event-ID, the two connections together are the timeline: every event once, in order', async () => {
    const { session } = await createActiveSession(h, { project: 'streamed' });
    const id = session.id as string;
    // A second session whose events must never show up in this one's stream.
    const neighbour = (await createActiveSession(h, { project: 'neighbour' })).session.id as string;
    const history = await listEvents(id);
    expect(history.at(-1)!.type).toBe('session.active');

    // First connection: the history, then events live while they are being made; it drops
    // mid-way, after the 7th of 20 live events, while the rest are still being written.
    const first = await openStream(h, id, { dropAfter: history.length + 7 });
    await first.until('the history on the first connection', (events) => events.length >= history.length);
    expect(first.events).toEqual(history);

    const phase1 = cycles(id, 1, 5);
    const noise1 = cycles(neighbour, 1, 2);
    await first.until('the first connection to drop', (events) => events.length >= history.length + 7);
    await first.close();
    await Promise.all([phase1, noise1]);
    const seenFirst = first.lastSeq();
    expect(seenFirst).toBe(history.length + 7);

    // While disconnected: more events.
    await cycles(id, 6, 8);
    await cycles(neighbour, 3, 3);
    const beforeReconnect = await listEvents(id);
    expect(beforeReconnect.at(-1)!.seq).toBeGreaterThan(seenFirst + 12 - 1);

    // Second connection, from the last event the first one saw; more events, then the end.
    const second = await openStream(h, id, { lastEventId: seenFirst });
    const phase3 = cycles(id, 9, 12);
    const noise3 = cycles(neighbour, 4, 5);
    await Promise.all([phase3, noise3]);
    await ok('POST', `/sessions/${id}/end`);
    await second.until('session.ended on the second connection', (events) =>
      events.some((e) => e.type === 'session.ended'),
    );
    const timeline = await listEvents(id);
    await second.until(
      'the whole timeline on the second connection',
      (events) => (events.at(-1)?.seq ?? 0) >= timeline.at(-1)!.seq,
    );
    await second.until('the server to end the stream with the session', () => second.closedByServer());
    await second.close();

    // 6 start events, 12 cycles of 4, then ending, summary, ended.
    expect(timeline).toHaveLength(history.length + 48 + 3);
    expect(timeline.map((e) => e.seq)).toEqual(timeline.map((_, i) => i + 1));
    expect(timeline.slice(-3).map((e) => e.type)).toEqual([
      'session.ending',
      'summary.generated',
      'session.ended',
    ]);

    // The second connection starts right after the first one's last event: the missed ones first.
    expect(second.events[0]!.seq).toBe(seenFirst + 1);
    expect(second.events.map((e) => e.seq)).toContain(beforeReconnect.at(-1)!.seq);

    const union = [...first.events, ...second.events];
    expect(union.map((e) => e.seq)).toEqual(timeline.map((e) => e.seq));
    expect(union).toEqual(timeline);
    expect(new Set(union.map((e) => e.seq)).size).toBe(union.length);
    expect(union.every((e) => e.sessionId === id)).toBe(true);

    // The SSE framing: id is the sequence number, event the type; the session ended, so the
    // second stream's last message is the end event, which carries no id.
    expect(second.messages.at(-1)).toMatchObject({ event: 'end', id: undefined });
    const framed = [...first.messages, ...second.messages.slice(0, -1)];
    expect(framed).toHaveLength(union.length);
    for (const [message, event] of framed.map((m, i) => [m, union[i]!] as const)) {
      expect(message.id).toBe(String(event.seq));
      expect(message.event).toBe(event.type);
    }

    // `?after=` is the same cursor for clients that cannot set headers; Last-Event-ID wins over it.
    const after = await openStream(h, id, { after: 20 });
    await after.until('the tail after 20', (events) => (events.at(-1)?.seq ?? 0) >= timeline.at(-1)!.seq);
    await after.close();
    expect(after.events).toEqual(timeline.slice(20));

    const both = await openStream(h, id, { after: 3, lastEventId: 40 });
    await both.until('the tail after 40', (events) => (events.at(-1)?.seq ?? 0) >= timeline.at(-1)!.seq);
    await both.close();
    expect(both.events).toEqual(timeline.slice(40));

    await ok('POST', `/sessions/${neighbour}/end`);
  });

  it('a client that is up to date gets nothing until something happens, then exactly that', async () => {
    const { session } = await createActiveSession(h, { project: 'streamed' });
    const id = session.id as string;
    const history = await listEvents(id);
    const stream = await openStream(h, id, { lastEventId: history.at(-1)!.seq });
    await ok('POST', `/sessions/${id}/pause`);
    await stream.until('session.paused', (events) => events.some((e) => e.type === 'session.paused'));
    await ok('POST', `/sessions/${id}/end`);
    await stream.until('session.ended', (events) => events.some((e) => e.type === 'session.ended'));
    await stream.close();
    const timeline = await listEvents(id);
    expect(stream.events).toEqual(timeline.slice(history.length));
    expect(stream.events.map((e) => e.type)).toEqual([
      'session.paused',
      'session.ending',
      'summary.generated',
      'session.ended',
    ]);
  });

  it('ends with the session: a last `end` event, the server closes, and asking again answers 204', async () => {
    const { session } = await createActiveSession(h, { project: 'streamed' });
    const id = session.id as string;
    const timelineStream = await openStream(h, id);
    const output = await openSse<unknown>(`${h.apiUrl}/sessions/${id}/output/stream`, { token: h.token });
    expect(output.status).toBe(200);
    await ok('POST', `/sessions/${id}/end`);

    await timelineStream.until('the server to close the timeline', () => timelineStream.closedByServer());
    // Every event once, session.ended last, then the end event (no id: a resume stays after session.ended).
    expect(timelineStream.events).toEqual(await listEvents(id));
    expect(timelineStream.events.at(-1)!.type).toBe('session.ended');
    expect(timelineStream.endReason()).toBe('session ended');
    expect(timelineStream.messages.at(-1)).toMatchObject({ event: 'end', id: undefined });
    await output.until('the server to close the output stream', () => output.closedByServer());
    expect(output.endReason()).toBe('session ended');

    // A client resuming after the last event is told there is no more: 204, so an EventSource stops.
    const resumed = await fetch(`${h.apiUrl}/sessions/${id}/events/stream`, {
      headers: { authorization: `Bearer ${h.token}`, 'last-event-id': String(timelineStream.lastSeq()) },
    });
    expect(resumed.status).toBe(204);
    expect(await resumed.text()).toBe('');
    expect(
      (
        await fetch(`${h.apiUrl}/sessions/${id}/output/stream`, {
          headers: { authorization: `Bearer ${h.token}` },
        })
      ).status,
    ).toBe(204);
    // One resuming from before the end still gets what it missed, then the end.
    const late = await openStream(h, id, { lastEventId: timelineStream.lastSeq() - 1 });
    await late.until('the late stream to close', () => late.closedByServer());
    expect(late.events.map((e) => e.type)).toEqual(['session.ended']);
    expect(late.endReason()).toBe('session ended');
  });
}

describe.each(['postgres', 'pglite'] as const)('the live timeline on %s', (kind) => {
  streamSuite(kind);
});
