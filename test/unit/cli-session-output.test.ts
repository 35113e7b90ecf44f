import { describe, expect, it } from 'vitest';
import type { SessionLogLine, TevisApiClient } from '../../cli/api-client.js';
import { ApiProblemError } from '../../cli/errors.js';
import { followSessionOutput, readSessionOutput } from '../../cli/follow-session-output.js';
import { formatOutputCursor, parseOutputCursor } from '../../contracts/output-cursor.js';
import { sse, tick } from '../support/fake-sse.js';

const SESSION = 'sess_a1b2c3';
const AT = '2025-03-01T10:00:00.000Z';

const line = (
  nanocycleId: string,
  seq: number,
  stream: SessionLogLine['stream'] = 'stdout',
): SessionLogLine => ({
  nanocycleId,
  seq,
  run: 1,
  attempt: 1,
  stream,
  line: `${nanocycleId} ${seq}`,
  at: AT,
});
const key = (l: SessionLogLine) => `${l.nanocycleId}:${l.seq}`;
/** A frame as the API sends it: the id is the output cursor after the line. */
const frame = (l: SessionLogLine, cursor: string) =>
  `id: ${cursor}\nevent: ${l.stream}\ndata: ${JSON.stringify(l)}\n\n`;
const session = (status: string) => ({ session: { id: SESSION, status }, state: null });

describe('followSessionOutput', () => {
  it('resumes by output cursor, never prints a line twice, and reads the rest once the session ended', async () => {
    const asked: string[] = [];
    const seen: string[] = [];
    const connections = [
      (signal: AbortSignal) =>
        sse(
          [frame(line('NC-001', 1), 'NC-001:1'), frame(line('NC-002', 1, 'stderr'), 'NC-001:1,NC-002:1')],
          signal,
        ),
      // After the drop the server replays NC-002:1 (must not print twice), brings NC-001:2, and stays open.
      (signal: AbortSignal) =>
        sse(
          [
            frame(line('NC-002', 1, 'stderr'), 'NC-001:1,NC-002:1'),
            frame(line('NC-001', 2), 'NC-001:2,NC-002:1'),
          ],
          signal,
          true,
        ),
    ];
    const pages: Record<string, SessionLogLine[]> = { 'NC-001:2,NC-002:1': [line('NC-002', 2)] };
    const client = {
      openOutputStream: async (_s: string, lastEventId: string, signal: AbortSignal) => (
        asked.push(lastEventId), connections.shift()!(signal)
      ),
      getSession: async () => session(seen.includes('NC-001:2') ? 'ended' : 'active'),
      sessionOutput: async (_s: string, after: string) => {
        const lines = pages[after] ?? [];
        let cursor = parseOutputCursor(after)!;
        for (const l of lines) cursor = { ...cursor, [l.nanocycleId]: l.seq };
        return { lines, cursor: formatOutputCursor(cursor) };
      },
    } as unknown as TevisApiClient;

    const status = await followSessionOutput(client, SESSION, {
      onLine: (l) => seen.push(key(l)),
      sleep: tick,
      pollMs: 1,
    });
    expect(status).toBe('ended');
    expect(seen).toEqual(['NC-001:1', 'NC-002:1', 'NC-001:2', 'NC-002:2']);
    expect(asked).toEqual(['', 'NC-001:1,NC-002:1']);
  });

  it('ends with the refusal when the session is not there', async () => {
    const client = {
      openOutputStream: async (_s: string, _l: string, signal: AbortSignal) => sse([], signal, true),
      getSession: async () => {
        throw new ApiProblemError('session-not-found', 404, `no session ${SESSION}`);
      },
    } as unknown as TevisApiClient;
    await expect(
      followSessionOutput(client, SESSION, { onLine: () => {}, sleep: tick, pollMs: 1 }),
    ).rejects.toMatchObject({ type: 'session-not-found' });
  });

  it('stops at the signal and returns null', async () => {
    const stop = new AbortController();
    const client = {
      openOutputStream: async (_s: string, _l: string, signal: AbortSignal) =>
        sse([frame(line('NC-001', 1), 'NC-001:1')], signal, true),
      getSession: async () => session('active'),
    } as unknown as TevisApiClient;
    const seen: string[] = [];
    expect(
      await followSessionOutput(client, SESSION, {
        onLine: (l) => (seen.push(key(l)), stop.abort()),
        signal: stop.signal,
        sleep: tick,
        pollMs: 1,
      }),
    ).toBeNull();
    expect(seen).toEqual(['NC-001:1']);
  });
});

describe('readSessionOutput', () => {
  it('pages by cursor until a page is empty', async () => {
    const asked: string[] = [];
    const pages: Record<string, SessionLogLine[]> = {
      '': [line('NC-001', 1), line('NC-002', 1)],
      'NC-001:1,NC-002:1': [line('NC-001', 2)],
    };
    const client = {
      sessionOutput: async (_s: string, after: string) => (
        asked.push(after), { lines: pages[after] ?? [], cursor: '' }
      ),
    } as unknown as TevisApiClient;
    const seen: string[] = [];
    const cursor = await readSessionOutput(client, SESSION, {}, (l) => seen.push(key(l)));
    expect(seen).toEqual(['NC-001:1', 'NC-002:1', 'NC-001:2']);
    expect(asked).toEqual(['', 'NC-001:1,NC-002:1', 'NC-001:2,NC-002:1']);
    expect(cursor).toEqual({ 'NC-001': 2, 'NC-002': 1 });
  });

  it('asks the session output routes with the cursor as given', async () => {
    const { TevisApiClient } = await import('../../cli/api-client.js');
    const calls: { path: string; headers: Record<string, string> }[] = [];
    const client = new TevisApiClient({
      baseUrl: 'http://127.0.0.1:8082',
      token: 'tok',
      fetch: (async (url: URL, init: RequestInit) => (
        calls.push({ path: url.pathname + url.search, headers: init.headers as Record<string, string> }),
        Response.json({ lines: [], cursor: '' })
      )) as typeof fetch,
    });
    await client.sessionOutput(SESSION, '', 1000);
    await client.sessionOutput(SESSION, 'NC-001:3', 1000);
    await client.openOutputStream(SESSION, 'NC-001:3,NC-002:1');
    expect(calls.map((c) => c.path)).toEqual([
      '/sessions/sess_a1b2c3/output?limit=1000',
      '/sessions/sess_a1b2c3/output?after=NC-001%3A3&limit=1000',
      '/sessions/sess_a1b2c3/output/stream',
    ]);
    expect(calls[2]!.headers['last-event-id']).toBe('NC-001:3,NC-002:1');
  });
});
