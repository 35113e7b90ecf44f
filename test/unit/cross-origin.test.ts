import { describe, expect, it } from 'vitest';
import { crossOriginReason } from '../../api/cross-origin.js';
import { offlineApi } from '../support/offline-api.js';

/**
 * Writes from a page of another origin are refused before anything else looks at them. The real
 * app with a database and Temporal it never reaches: every request here is answered first.
 */
const TOKEN = 'cross-origin-unit-token';
const app = offlineApi(TOKEN);

const HOST = '127.0.0.1:8082';
const send = (method: string, path: string, headers: Record<string, string>) =>
  app.request(`http://${HOST}${path}`, { method, headers: { host: HOST, ...headers } });

describe('crossOriginReason', () => {
  it.each([
    ['no browser headers (the CLI, scripts)', {}],
    ['the same origin', { origin: `http://${HOST}` }],
    ['the same origin, host in capitals', { origin: 'http://127.0.0.1:8082', host: '127.0.0.1:8082' }],
    ['a same-origin fetch', { origin: `http://${HOST}`, secFetchSite: 'same-origin' }],
    ['a no-referrer page of the same origin (Origin: null)', { origin: 'null', secFetchSite: 'same-origin' }],
    ['a typed address (Sec-Fetch-Site: none)', { secFetchSite: 'none' }],
  ])('accepts %s', (_what, headers: { origin?: string; secFetchSite?: string; host?: string }) => {
    expect(crossOriginReason({ host: HOST, ...headers })).toBeNull();
  });

  it.each([
    ['another port of the same host', { origin: 'http://127.0.0.1:9999' }],
    ['localhost for 127.0.0.1', { origin: 'http://localhost:8082' }],
    ['another site', { origin: 'https://evil.example' }],
    ['an opaque origin', { origin: 'null' }],
    ['an origin that is not one', { origin: 'not a url' }],
    ['a cross-site page without Origin', { secFetchSite: 'cross-site' }],
    ['a same-site page (another port)', { secFetchSite: 'same-site' }],
    [
      'a same-origin claim with another Origin',
      { origin: 'http://127.0.0.1:9999', secFetchSite: 'same-origin' },
    ],
  ])('refuses %s', (_what, headers: { origin?: string; secFetchSite?: string }) => {
    expect(crossOriginReason({ host: HOST, ...headers })).toEqual(expect.any(String));
  });
});

describe('the API refuses writes from other origins', () => {
  const attack = {
    origin: 'http://127.0.0.1:9999',
    'sec-fetch-site': 'same-site',
    cookie: `tevis_token=${TOKEN}`,
  };

  it.each([
    'POST /sessions/sess_abcdef/pause',
    'POST /sessions/sess_abcdef/holds/HP-001-merge/approve',
    'POST /sessions/sess_abcdef/review/approve',
    'PUT /sessions/sess_abcdef/files?path=x',
    'PATCH /projects/alpha',
    'DELETE /projects/alpha',
    'POST /projects',
  ])('%s from another origin → 403 cross-origin-refused, with or without the token', async (route) => {
    const [method, path] = route.split(' ') as [string, string];
    for (const headers of [attack, { ...attack, authorization: `Bearer ${TOKEN}` }]) {
      const reply = await send(method, path, headers);
      expect(reply.status).toBe(403);
      expect(reply.headers.get('content-type')).toBe('application/problem+json');
      expect(await reply.json()).toMatchObject({
        type: 'urn:tevis:problem:cross-origin-refused',
        status: 403,
      });
      expect(reply.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('reads are not refused for their origin (browsers keep other origins from reading them: no CORS headers)', async () => {
    const reply = await send('GET', '/openapi.json', {
      origin: 'http://127.0.0.1:9999',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(reply.status).toBe(200);
    expect([...reply.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
  });

  it('a CORS preflight gets no CORS headers, so a browser never sends the write', async () => {
    const reply = await send('OPTIONS', '/sessions/sess_abcdef/pause', {
      origin: 'http://127.0.0.1:9999',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
    });
    expect([...reply.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
    expect(reply.status).toBeGreaterThanOrEqual(400);
  });

  it('leaves /codec/ to the codec endpoint, which judges origins itself', async () => {
    const reply = await send('POST', '/codec/decode', attack);
    expect(reply.status).not.toBe(403);
  });

  it('a write of the same origin, or from a client that is not a browser, goes on to the token check', async () => {
    const sameOrigin: Array<Record<string, string>> = [
      {},
      { origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin' },
      { origin: 'null', 'sec-fetch-site': 'same-origin' },
    ];
    for (const headers of sameOrigin) {
      expect((await send('POST', '/sessions/sess_abcdef/pause', headers)).status).toBe(401);
    }
  });
});
