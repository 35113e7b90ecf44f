import { describe, expect, it } from 'vitest';
import type { HoldPointRecord, LogLine, NanocycleRecord, TevisApiClient } from '../../cli/api-client.js';
import { ApiProblemError } from '../../cli/errors.js';
import { followSequencedStream } from '../../cli/event-stream.js';
import { followNanocycleLogs, readLogLines, settledNanocycle } from '../../cli/follow-nanocycle-logs.js';
import type { NanocycleStatus } from '../../contracts/nanocycle.js';
import { nanocycleOutputIsOver as outputIsOver } from '../../contracts/stream-end.js';
import { sse, tick } from '../support/fake-sse.js';

const SESSION = 'sess_a1b2c3';
const AT = '2025-03-01T10:00:00.000Z';

const line = (seq: number, stream: LogLine['stream'] = 'stdout', run = 1): LogLine => ({
  seq,
  run,
  attempt: 1,
  stream,
  line: `line ${seq}`,
  at: AT,
});
const frame = (l: LogLine) => `id: ${l.seq}\nevent: ${l.stream}\ndata: ${JSON.stringify(l)}\n\n`;

function nc(
  status: NanocycleStatus,
  finishedAt: string | null = null,
  data: Record<string, unknown> = {},
): NanocycleRecord {
  return {
    id: 'NC-001',
    name: 'auth',
    goal: null,
    status,
    branch: 'feat/nc-001-auth',
    executor: 'local',
    createdAt: AT,
    startedAt: AT,
    finishedAt,
    data,
  };
}

describe('outputIsOver', () => {
  it('is over at a final status, and at a merge hold point (its own workflow finished)', () => {
    for (const status of ['completed', 'merged', 'failed', 'cancelled', 'rejected', 'conflict'] as const)
      expect(outputIsOver(nc(status))).toBe(true);
    expect(outputIsOver(nc('awaiting_approval', AT))).toBe(true);
  });

  it('goes on while queued, running, or at a plan or agent hold point', () => {
    expect(outputIsOver(nc('queued'))).toBe(false);
    expect(outputIsOver(nc('running'))).toBe(false);
    expect(outputIsOver(nc('awaiting_approval'))).toBe(false);
  });
});

describe('followNanocycleLogs', () => {
  it('streams with Last-Event-ID resume, stops when the nanocycle is done and reads what the stream had not brought', async () => {
    const asked: number[] = [];
    const seen: number[] = [];
    const statuses: string[] = [];
    const connections = [
      // Drops after two lines.
      (signal: AbortSignal) => sse([frame(line(1)), frame(line(2, 'stderr'))], signal),
      // Replays line 2 (must not print twice), brings 3, then stays open.
      (signal: AbortSignal) => sse([frame(line(2, 'stderr')), frame(line(3))], signal, true),
    ];
    const pages: Record<number, LogLine[]> = { 3: [line(4), line(5, 'stdout', 2)] };
    const client = {
      openLogStream: async (_s: string, _n: string, lastEventId: number, signal: AbortSignal) => (
        asked.push(lastEventId), connections.shift()!(signal)
      ),
      // Done only once line 3 has arrived: lines 4 and 5 were written just before.
      listNanocycles: async () => [seen.includes(3) ? nc('completed', AT, { commit: 'abc' }) : nc('running')],
      listHoldPoints: async () => [],
      nanocycleLogs: async (_s: string, _n: string, after: number) => pages[after] ?? [],
    } as unknown as TevisApiClient;

    const ended = await followNanocycleLogs(client, SESSION, 'NC-001', {
      onLine: (l) => seen.push(l.seq),
      onStatus: (n) => statuses.push(n.status),
      sleep: tick,
      pollMs: 1,
    });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(asked).toEqual([0, 2]);
    expect(statuses).toEqual(['running', 'completed']);
    expect(ended?.status).toBe('completed');
  });

  it('names the hold point it waits at, and goes on after it', async () => {
    let polls = 0;
    const holds: HoldPointRecord[] = [
      {
        id: 'HP-001-agent-1',
        nanocycleId: 'NC-001',
        kind: 'agent',
        reason: 'Which database?',
        status: 'pending',
        openedAt: AT,
        resolvedAt: null,
        resolvedBy: null,
        comment: null,
      },
    ];
    const client = {
      openLogStream: async (_s: string, _n: string, _l: number, signal: AbortSignal) => sse([], signal, true),
      listNanocycles: async () => [++polls < 3 ? nc('awaiting_approval') : nc('failed', AT)],
      listHoldPoints: async () => holds,
      nanocycleLogs: async () => [],
    } as unknown as TevisApiClient;
    const waits: (string | null)[] = [];
    const ended = await followNanocycleLogs(client, SESSION, 'NC-001', {
      onLine: () => {},
      onStatus: (_n, pending) => waits.push(pending?.id ?? null),
      sleep: tick,
      pollMs: 1,
    });
    expect(waits).toEqual(['HP-001-agent-1', null]);
    expect(ended?.status).toBe('failed');
  });

  it('keeps checking while the API is away, and gives up on a refusal', async () => {
    let polls = 0;
    const client = {
      openLogStream: async (_s: string, _n: string, _l: number, signal: AbortSignal) => sse([], signal, true),
      listNanocycles: async () => {
        polls++;
        if (polls === 1) throw new TypeError('fetch failed');
        throw new ApiProblemError('session-not-found', 404, 'no session');
      },
    } as unknown as TevisApiClient;
    await expect(
      followNanocycleLogs(client, SESSION, 'NC-001', { onLine: () => {}, sleep: tick, pollMs: 1 }),
    ).rejects.toMatchObject({ type: 'session-not-found' });
    expect(polls).toBe(2);
  });

  it('says so when the nanocycle does not exist', async () => {
    const client = {
      openLogStream: async (_s: string, _n: string, _l: number, signal: AbortSignal) => sse([], signal, true),
      listNanocycles: async () => [],
    } as unknown as TevisApiClient;
    await expect(
      followNanocycleLogs(client, SESSION, 'NC-009', { onLine: () => {}, sleep: tick, pollMs: 1 }),
    ).rejects.toMatchObject({ type: 'not-found', exitCode: 3 });
  });

  it('returns null when stopped by its signal (Ctrl-C)', async () => {
    const stop = new AbortController();
    const client = {
      openLogStream: async (_s: string, _n: string, _l: number, signal: AbortSignal) =>
        sse([frame(line(1))], signal, true),
      listNanocycles: async () => [nc('running')],
      listHoldPoints: async () => [],
    } as unknown as TevisApiClient;
    const seen: number[] = [];
    const ended = await followNanocycleLogs(client, SESSION, 'NC-001', {
      onLine: (l) => (seen.push(l.seq), stop.abort()),
      signal: stop.signal,
      sleep: tick,
      pollMs: 1,
    });
    expect(ended).toBeNull();
    expect(seen).toEqual([1]);
  });
});

describe('readLogLines', () => {
  it('pages with the after cursor until a short page', async () => {
    const afters: number[] = [];
    const full = Array.from({ length: 1000 }, (_, i) => line(i + 1));
    const client = {
      nanocycleLogs: async (_s: string, _n: string, after: number) => (
        afters.push(after), after === 0 ? full : [line(1001)]
      ),
    } as unknown as TevisApiClient;
    let count = 0;
    expect(await readLogLines(client, SESSION, 'NC-001', 0, () => count++)).toBe(1001);
    expect(afters).toEqual([0, 1000]);
    expect(count).toBe(1001);
  });
});

describe('settledNanocycle', () => {
  it('waits for a completed commit to reach its merge hold point or the merge', async () => {
    const answers = [nc('completed', AT, { commit: 'abc' }), nc('merged', AT, { commit: 'abc' })];
    const client = { listNanocycles: async () => [answers.shift()!] } as unknown as TevisApiClient;
    const settled = await settledNanocycle(client, SESSION, nc('completed', AT, { commit: 'abc' }), {
      sleep: async () => {},
    });
    expect(settled.status).toBe('merged');
  });

  it('does not wait for a completed run that committed nothing', async () => {
    const client = {
      listNanocycles: async () => expect.fail('no poll expected'),
    } as unknown as TevisApiClient;
    expect(
      (
        await settledNanocycle(client, SESSION, nc('completed', AT, { commit: null }), {
          sleep: async () => {},
        })
      ).status,
    ).toBe('completed');
  });
});

describe('followSequencedStream', () => {
  it('follows any stream of items with a seq', async () => {
    const seen: number[] = [];
    const open = async (_last: number, signal: AbortSignal) => sse([frame(line(1)), frame(line(2))], signal);
    await followSequencedStream<LogLine>(open, {
      after: 0,
      onEvent: (l) => (seen.push(l.seq), l.seq === 2),
      sleep: async () => {},
    });
    expect(seen).toEqual([1, 2]);
  });
});

describe('TevisApiClient: nanocycle and hold point routes', () => {
  it('calls the routes of api/routes/nanocycles.ts', async () => {
    const { TevisApiClient } = await import('../../cli/api-client.js');
    const calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[] = [];
    const client = new TevisApiClient({
      baseUrl: 'http://127.0.0.1:8082',
      token: 'tok',
      fetch: (async (url: URL, init: RequestInit) => {
        calls.push({
          method: init.method!,
          path: url.pathname + url.search,
          body: init.body ? JSON.parse(String(init.body)) : undefined,
          headers: init.headers as Record<string, string>,
        });
        return Response.json({ nanocycles: [], lines: [], holdPoints: [], files: [], patch: '' });
      }) as typeof fetch,
    });
    await client.createNanocycle(SESSION, { name: 'auth', goal: 'g' });
    await client.listNanocycles(SESSION);
    await client.nanocycleDiff(SESSION, 'NC-001');
    await client.cancelNanocycle(SESSION, 'NC-001');
    await client.mergeNanocycle(SESSION, 'NC-001');
    await client.nanocycleLogs(SESSION, 'NC-001', 5, 1000);
    await client.openLogStream(SESSION, 'NC-001', 7);
    await client.listHoldPoints(SESSION);
    await client.resolveHoldPoint(SESSION, 'HP-001-merge', 'approve', { comment: 'ok', by: 'ada' });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /sessions/sess_a1b2c3/nanocycles',
      'GET /sessions/sess_a1b2c3/nanocycles',
      'GET /sessions/sess_a1b2c3/nanocycles/NC-001/diff',
      'POST /sessions/sess_a1b2c3/nanocycles/NC-001/cancel',
      'POST /sessions/sess_a1b2c3/nanocycles/NC-001/merge',
      'GET /sessions/sess_a1b2c3/nanocycles/NC-001/logs?after=5&limit=1000',
      'GET /sessions/sess_a1b2c3/nanocycles/NC-001/logs/stream',
      'GET /sessions/sess_a1b2c3/holds',
      'POST /sessions/sess_a1b2c3/holds/HP-001-merge/approve',
    ]);
    expect(calls[0]!.body).toEqual({ name: 'auth', goal: 'g' });
    expect(calls[6]!.headers).toMatchObject({ accept: 'text/event-stream', 'last-event-id': '7' });
    expect(calls[8]!.body).toEqual({ comment: 'ok', by: 'ada' });
  });
});
