import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../contracts/timeline.js';
import type { TevisApiClient } from '../../cli/api-client.js';
import { ApiProblemError } from '../../cli/errors.js';
import { followEventStream } from '../../cli/event-stream.js';
import { followSessionStart } from '../../cli/follow-session-start.js';

const ID = 'sess_a1b2c3';
let clock = 0;
const event = (seq: number, type: TimelineEvent['type'], data: Record<string, unknown> = {}): TimelineEvent =>
  // Any type with any data: what the follower makes of events it did not expect is tested too.
  ({
    sessionId: ID,
    seq,
    type,
    at: new Date(Date.UTC(2025, 0, 1, 0, 0, clock++)).toISOString(),
    data,
  }) as TimelineEvent;

describe('followSessionStart', () => {
  it('polls with an `after` cursor until the session is active, reporting each step', async () => {
    const pages = [
      [
        event(1, 'session.created', { type: 'development', branch: 'main' }),
        event(2, 'workspace.cloning', { repository: '/r', branch: 'main' }),
      ],
      [],
      [
        event(3, 'workspace.cloned', { path: '/ws/sess_a1b2c3' }),
        event(4, 'context.loaded', { docs: [], memoryEntries: 0, preferences: [] }),
      ],
      [event(5, 'services.checked', {}), event(6, 'session.active')],
    ];
    const afters: number[] = [];
    const client = {
      events: async (_id: string, after: number) => (afters.push(after), pages.shift() ?? []),
    } as unknown as TevisApiClient;
    const steps: string[] = [];
    const outcome = await followSessionStart(client, ID, {
      onStep: (s) => steps.push(s),
      sleep: async () => {},
    });
    expect(outcome).toEqual({ status: 'active', workspacePath: '/ws/sess_a1b2c3' });
    expect(afters).toEqual([0, 2, 2, 4]);
    expect(steps[0]).toBe('cloning /r (main)…');
    expect(steps.at(-1)).toBe('active');
  });

  it('returns what the start carried forward, or why it did not, in words', async () => {
    const carried = [
      event(1, 'workspace.cloning', {}),
      event(2, 'workspace.carried_forward', {
        fromSession: 'sess_zzzzzz',
        commit: 'c'.repeat(40),
        commits: 2,
      }),
      event(3, 'workspace.cloned', { path: '/ws' }),
      event(4, 'session.active'),
    ];
    const client = (events: TimelineEvent[]) => ({ events: async () => events }) as unknown as TevisApiClient;
    expect(
      await followSessionStart(client(carried), ID, { onStep: () => {}, sleep: async () => {} }),
    ).toEqual({
      status: 'active',
      workspacePath: '/ws',
      startedFrom:
        'started from cccccccccc, carried forward from session sess_zzzzzz: 2 commit(s) merged there and not on the remote',
    });
    const notCarried = [
      event(1, 'workspace.not_carried_forward', {
        reason: 'workspace-gone',
        fix: 'its workspace is gone; use --push on-merge',
      }),
      event(2, 'session.active'),
    ];
    expect(
      await followSessionStart(client(notCarried), ID, { onStep: () => {}, sleep: async () => {} }),
    ).toMatchObject({ startedFrom: 'not carried forward: its workspace is gone; use --push on-merge' });
  });

  it('returns the failure of a session that could not start', async () => {
    const client = {
      events: async () => [
        event(1, 'workspace.cloning', {}),
        event(2, 'session.failed', { error: 'git clone failed' }),
      ],
    } as unknown as TevisApiClient;
    expect(await followSessionStart(client, ID, { onStep: () => {}, sleep: async () => {} })).toEqual({
      status: 'failed',
      failure: 'git clone failed',
    });
  });

  it('says where to look when nothing happens for a while, in text that does not change every poll', async () => {
    let now = 0;
    let polls = 0;
    const client = {
      events: async () => {
        polls++;
        if (polls === 1) return [event(1, 'session.created', { type: 'development', branch: 'main' })];
        if (polls === 100) return [event(2, 'session.active')];
        return [];
      },
    } as unknown as TevisApiClient;
    const steps = new Set<string>();
    await followSessionStart(client, ID, {
      onStep: (s) => steps.add(s),
      sleep: async () => {
        now += 300;
      },
      now: () => now,
      stallHintMs: 15_000,
    });
    const hints = [...steps].filter((s) => s.includes('tevis status'));
    expect(hints).toHaveLength(1);
  });
});

/** A Response whose SSE body arrives in the given chunks, split wherever the test likes. */
function sseResponse(chunks: string[]): Response {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    }),
    { headers: { 'content-type': 'text/event-stream' } },
  );
}

const frame = (e: TimelineEvent) => `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

describe('followEventStream', () => {
  it('resumes with the last seen id after a drop and shows every event once, in order', async () => {
    const e1 = event(1, 'session.created', {});
    const e2 = event(2, 'session.active');
    const e3 = event(3, 'session.paused');
    const e4 = event(4, 'session.ended', { reason: 'user' });
    const asked: number[] = [];
    const connections = [
      // Split mid-frame, with a keepalive comment, then the connection ends.
      () => sseResponse([frame(e1).slice(0, 10), `${frame(e1).slice(10)}: keepalive\n\n`, frame(e2)]),
      () => {
        throw new TypeError('fetch failed');
      },
      // A server that replays one event too many must not make the CLI print it twice.
      () => sseResponse([frame(e2), frame(e3), frame(e4)]),
    ];
    const client = {
      openEventStream: async (_id: string, lastEventId: number) => {
        asked.push(lastEventId);
        return connections.shift()!();
      },
    } as unknown as TevisApiClient;
    const seen: number[] = [];
    const reconnects: string[] = [];
    await followEventStream(client, ID, {
      after: 0,
      onEvent: (e) => (seen.push(e.seq), e.type === 'session.ended'),
      onReconnect: (reason) => reconnects.push(reason),
      sleep: async () => {},
    });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(asked).toEqual([0, 2, 2]);
    expect(reconnects).toHaveLength(2);
  });

  it("stops at the server's end event, and at a 204, without reconnecting", async () => {
    const e1 = event(1, 'session.paused');
    let opened = 0;
    const ended = {
      openEventStream: async () => {
        opened += 1;
        return sseResponse([frame(e1), 'event: end\ndata: {"reason":"session ended"}\n\n']);
      },
    } as unknown as TevisApiClient;
    const seen: number[] = [];
    const reconnects: string[] = [];
    // The caller would go on (its onEvent never says stop): the server's end alone stops it.
    await followEventStream(ended, ID, {
      after: 0,
      onEvent: (e) => void seen.push(e.seq),
      onReconnect: (r) => reconnects.push(r),
      sleep: async () => {},
    });
    expect(seen).toEqual([1]);
    expect(opened).toBe(1);
    expect(reconnects).toEqual([]);

    const over = {
      openEventStream: async () => {
        opened += 1;
        return new Response(null, { status: 204 });
      },
    } as unknown as TevisApiClient;
    await followEventStream(over, ID, {
      after: 1,
      onEvent: () => void seen.push(0),
      onReconnect: (r) => reconnects.push(r),
      sleep: async () => {},
    });
    expect(opened).toBe(2);
    expect(seen).toEqual([1]);
    expect(reconnects).toEqual([]);
  });

  it('gives up at once on a refusal a reconnect cannot fix', async () => {
    const client = {
      openEventStream: async () => {
        throw new ApiProblemError('session-not-found', 404, 'no session');
      },
    } as unknown as TevisApiClient;
    await expect(
      followEventStream(client, ID, { after: 0, onEvent: () => {}, sleep: async () => {} }),
    ).rejects.toMatchObject({ type: 'session-not-found' });
  });

  it('stops when its signal is aborted', async () => {
    const stop = new AbortController();
    const client = {
      openEventStream: async () => {
        stop.abort();
        throw new TypeError('fetch failed');
      },
    } as unknown as TevisApiClient;
    await followEventStream(client, ID, {
      after: 0,
      onEvent: () => {},
      signal: stop.signal,
      sleep: async () => {},
    });
  });
});
