import { describe, expect, it } from 'vitest';
import { TevisApiClient } from '../../cli/api-client.js';
import { ApiProblemError, ApiUnreachableError } from '../../cli/errors.js';
import { EXIT } from '../../cli/exit-codes.js';

function clientAnswering(
  respond: (url: URL, init: RequestInit) => Response | Promise<Response>,
  { token, waits = [] }: { token?: string; waits?: number[] } = { token: 'tok' },
) {
  const calls: { url: URL; init: RequestInit }[] = [];
  const client = new TevisApiClient({
    baseUrl: 'http://127.0.0.1:8082',
    token,
    sleep: async (ms) => {
      waits.push(ms);
    },
    fetch: (async (url: URL, init: RequestInit) => {
      calls.push({ url, init });
      return respond(url, init);
    }) as typeof fetch,
  });
  return { client, calls };
}

const problem = (status: number, type: string, detail: string) =>
  new Response(
    JSON.stringify({ type: `urn:tevis:problem:${type}`, title: 't', status, detail, session: 'sess_x' }),
    {
      status,
      headers: { 'content-type': 'application/problem+json' },
    },
  );

describe('TevisApiClient', () => {
  it('sends the bearer token, except to /health', async () => {
    const { client, calls } = clientAnswering(() =>
      Response.json({ status: 'ok', version: '1', projects: [] }),
    );
    await client.listProjects();
    await client.health();
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer tok');
    expect((calls[1]!.init.headers as Record<string, string>).authorization).toBeUndefined();
  });

  it('turns problem+json into a typed error without the urn prefix', async () => {
    const { client } = clientAnswering(() =>
      problem(409, 'session-conflict', 'project "a" already has an open session'),
    );
    const error = await client.createSession({ project: 'a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiProblemError);
    expect(error).toMatchObject({
      type: 'session-conflict',
      status: 409,
      detail: 'project "a" already has an open session',
      exitCode: EXIT.conflict,
    });
    expect((error as ApiProblemError).extras).toEqual({ session: 'sess_x' });
  });

  it('still types an error whose body is not a problem document', async () => {
    const { client } = clientAnswering(() => new Response('upstream down', { status: 503 }));
    await expect(client.status()).rejects.toMatchObject({
      type: 'service-unavailable',
      status: 503,
      detail: expect.stringContaining('upstream down'),
      exitCode: EXIT.unavailable,
    });
  });

  it('says how to get a token when it has none and the API wants one', async () => {
    const { client } = clientAnswering(() => problem(401, 'unauthorized', 'send the API token'), {});
    await expect(client.listProjects()).rejects.toMatchObject({
      exitCode: EXIT.unauthorized,
      detail: expect.stringContaining('TEVIS_API_TOKEN'),
    });
  });

  it('reports a refused connection as "no API at URL", naming `tevis up`', async () => {
    const { client } = clientAnswering(() => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8082'), { code: 'ECONNREFUSED' }),
      });
    });
    const error = await client.listSessions({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect((error as ApiUnreachableError).detail).toMatch(
      /^no API at http:\/\/127.0.0.1:8082 — start it with `tevis up`/,
    );
    expect((error as ApiUnreachableError).exitCode).toBe(EXIT.unavailable);
  });

  it('finds the refusal inside an AggregateError (IPv4 and IPv6 both tried)', async () => {
    const { client } = clientAnswering(() => {
      const refused = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
      throw new TypeError('fetch failed', { cause: new AggregateError([refused, refused]) });
    });
    await expect(client.health()).rejects.toMatchObject({
      detail: expect.stringContaining('(ECONNREFUSED)'),
    });
  });

  it('encodes query and path, and asks for Markdown summaries', async () => {
    const { client, calls } = clientAnswering((url) =>
      url.pathname.endsWith('/summary')
        ? new Response('# S\n')
        : Response.json({ sessions: [], nextCursor: null, events: [] }),
    );
    await client.listSessions({ project: 'app', all: true });
    await client.events('sess_a1b2c3', 7);
    expect(await client.summaryMarkdown('sess_a1b2c3')).toBe('# S\n');
    expect(calls[0]!.url.search).toBe('?project=app&all=true&limit=500');
    expect(calls[1]!.url.pathname + calls[1]!.url.search).toBe('/sessions/sess_a1b2c3/events?after=7');
    expect((calls[2]!.init.headers as Record<string, string>).accept).toBe('text/markdown');
  });

  it('follows the session pages to the last, or stops at a limit and says there were more', async () => {
    const ids = ['sess_aaaaa5', 'sess_aaaaa4', 'sess_aaaaa3', 'sess_aaaaa2', 'sess_aaaaa1'];
    const { client, calls } = clientAnswering((url) => {
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const limit = Number(url.searchParams.get('limit'));
      const page = ids.slice(from, from + Math.min(limit, 2)).map((id) => ({ id }));
      const next = from + page.length < ids.length ? String(from + page.length) : null;
      return Response.json({ sessions: page, nextCursor: next });
    });
    expect((await client.listSessions({ all: true })).map((s) => s.id)).toEqual(ids);
    expect(calls.map((c) => c.url.searchParams.get('cursor'))).toEqual([null, '2', '4']);
    const upTo = await client.listSessionsUpTo({}, 3);
    expect(upTo.sessions.map((s) => s.id)).toEqual(ids.slice(0, 3));
    expect(upTo.more).toBe(true);
    expect(calls.at(-1)!.url.searchParams.get('limit')).toBe('1');
    expect((await client.listSessionsUpTo({}, 5)).more).toBe(false);
  });

  describe('safe retries', () => {
    const keyOf = (call: { init: RequestInit }) =>
      (call.init.headers as Record<string, string>)['idempotency-key'];
    const cut = () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
      });
    };

    it('sends an Idempotency-Key with every POST, a fresh one per call, and none with a GET', async () => {
      const { client, calls } = clientAnswering(() =>
        Response.json({ id: 'NC-001', sessions: [] }, { status: 201 }),
      );
      await client.createNanocycle('sess_a1b2c3', { name: 'a', run: ['true'] });
      await client.createNanocycle('sess_a1b2c3', { name: 'b', run: ['true'] });
      await client.listSessions({});
      expect(keyOf(calls[0]!)).toMatch(/^[0-9a-f-]{36}$/);
      expect(keyOf(calls[1]!)).toMatch(/^[0-9a-f-]{36}$/);
      expect(keyOf(calls[1]!)).not.toBe(keyOf(calls[0]!));
      expect(keyOf(calls[2]!)).toBeUndefined();
    });

    it('sends a POST again with the same key when the connection is cut before the answer', async () => {
      let n = 0;
      const waits: number[] = [];
      const { client, calls } = clientAnswering(
        () => (++n === 1 ? cut() : Response.json({ id: 'NC-001' }, { status: 201 })),
        { token: 'tok', waits },
      );
      await expect(client.createNanocycle('sess_a1b2c3', { name: 'a', run: ['true'] })).resolves.toEqual({
        id: 'NC-001',
      });
      expect(calls).toHaveLength(2);
      expect(keyOf(calls[1]!)).toBe(keyOf(calls[0]!));
      expect(calls[1]!.init.body).toBe(calls[0]!.init.body);
      expect(waits).toEqual([500]);
    });

    it('waits Retry-After after a 503 and tries again with the same key, at most three times in all, then exits 5 naming the service', async () => {
      const waits: number[] = [];
      const { client, calls } = clientAnswering(
        () => {
          const reply = problem(503, 'database-unavailable', 'the database did not answer');
          reply.headers.set('retry-after', '2');
          return reply;
        },
        { token: 'tok', waits },
      );
      const error = await client.endSession('sess_a1b2c3').catch((e: unknown) => e);
      expect(calls).toHaveLength(3);
      expect(new Set(calls.map(keyOf)).size).toBe(1);
      expect(waits).toEqual([2000, 2000]);
      expect(error).toMatchObject({ type: 'database-unavailable', status: 503, exitCode: EXIT.unavailable });
      expect((error as ApiProblemError).detail).toBe(
        'the database is unavailable: the database did not answer (tried 3 times; it is safe to run the command again)',
      );
    });

    it('retries while the first request with the key still runs, and gets its answer', async () => {
      let n = 0;
      const { client, calls } = clientAnswering(() =>
        ++n === 1
          ? problem(409, 'idempotency-key-in-flight', 'still running')
          : Response.json({ id: 'sess_a1b2c3' }, { status: 201 }),
      );
      await expect(client.createSession({ project: 'a' })).resolves.toEqual({ id: 'sess_a1b2c3' });
      expect(keyOf(calls[1]!)).toBe(keyOf(calls[0]!));
    });

    it('does not retry a refused connection (no API) or a conflict', async () => {
      const refused = clientAnswering(() => {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
        });
      });
      await expect(refused.client.endSession('sess_a1b2c3')).rejects.toBeInstanceOf(ApiUnreachableError);
      expect(refused.calls).toHaveLength(1);
      const conflict = clientAnswering(() => problem(409, 'nanocycle-name-taken', 'taken'));
      await expect(
        conflict.client.createNanocycle('sess_a1b2c3', { name: 'a', run: ['true'] }),
      ).rejects.toMatchObject({ exitCode: EXIT.conflict });
      expect(conflict.calls).toHaveLength(1);
    });
  });
});
