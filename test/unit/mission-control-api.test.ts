import { afterEach, describe, expect, it, vi } from 'vitest';
// @ts-expect-error a plain JS module of the page (typechecked by `tsc -p web`), loaded as the browser does
import { createApi } from '../../web/api.js';

/**
 * Mission Control's request plumbing (web/api.js) with the browser's fetch replaced: each action
 * carries its own Idempotency-Key, a retry reuses it, and an outage reads as words.
 */

const problem = (status: number, type: string, detail: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: `urn:tevis:problem:${type}`, title: 't', status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

function pageApi(answers: Array<() => Response>) {
  const calls: RequestInit[] = [];
  vi.stubGlobal('fetch', async (_path: string, init: RequestInit) => {
    calls.push(init);
    return answers[Math.min(calls.length, answers.length) - 1]!();
  });
  vi.useFakeTimers({ toFake: ['setTimeout'] });
  return {
    api: createApi(
      () => 'tok',
      () => {},
    ),
    calls,
  };
}

const keyOf = (init: RequestInit) => (init.headers as Record<string, string>)['idempotency-key'];

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('Mission Control requests', () => {
  it('gives each action a fresh Idempotency-Key, and a read none', async () => {
    const { api, calls } = pageApi([() => Response.json({ ok: true })]);
    await api.post('/sessions/sess_a1b2c3/pause');
    await api.post('/sessions/sess_a1b2c3/pause');
    await api.get('/sessions');
    expect(keyOf(calls[0]!)).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(keyOf(calls[1]!)).not.toBe(keyOf(calls[0]!));
    expect(keyOf(calls[2]!)).toBeUndefined();
  });

  it('retries an action once with the same key after a 503, and says which service is down and that trying again is safe', async () => {
    const { api, calls } = pageApi([
      () => problem(503, 'temporal-unavailable', 'Temporal did not answer', { 'retry-after': '2' }),
    ]);
    const outcome = api.post('/sessions/sess_a1b2c3/end').catch((e: Error) => e);
    await vi.runAllTimersAsync();
    const error = await outcome;
    expect(calls).toHaveLength(2);
    expect(keyOf(calls[1]!)).toBe(keyOf(calls[0]!));
    expect(error).toMatchObject({ status: 503, type: 'temporal-unavailable' });
    expect(error.message).toBe(
      'Temporal is unavailable right now. It is safe to try again in a moment. (Temporal did not answer)',
    );
  });

  it('retries once with the same key when the connection fails, and takes the answer', async () => {
    const { api, calls } = pageApi([
      () => {
        throw new TypeError('Failed to fetch');
      },
      () => Response.json({ id: 'NC-001' }, { status: 201 }),
    ]);
    const outcome = api.post('/sessions/sess_a1b2c3/nanocycles', { name: 'a', run: ['true'] });
    await vi.runAllTimersAsync();
    expect(await outcome).toEqual({ id: 'NC-001' });
    expect(keyOf(calls[1]!)).toBe(keyOf(calls[0]!));
  });
});
