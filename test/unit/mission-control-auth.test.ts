import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { offlineApi } from '../support/offline-api.js';

/**
 * Mission Control's page and scripts go without the token; nothing else does. The real app is
 * built with a database it never reaches and a Temporal client that never connects: every request
 * here is answered before a route touches either (static files, 401s, the OpenAPI document and
 * /ui-config).
 */
const TOKEN = 'mission-control-unit-token';
const app = offlineApi(TOKEN, { temporalUi: { url: 'http://127.0.0.1:8233', namespace: 'default' } });

const request = (method: string, path: string, token?: string) =>
  app.request(path, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

const WEB_FILES = readdirSync(fileURLToPath(new URL('../../web/', import.meta.url))).filter((f) =>
  /\.(js|css|html)$/.test(f),
);

describe('Mission Control without the token', () => {
  it('serves the page at / with a strict CSP, no-cache and the right type (GET and HEAD)', async () => {
    for (const method of ['GET', 'HEAD']) {
      const reply = await request(method, '/');
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(reply.headers.get('cache-control')).toBe('no-cache');
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      const csp = reply.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
    }
    const html = await (await request('GET', '/')).text();
    expect(html).toContain('<script type="module" src="/web/app.js"></script>');
    // No inline script and no inline handlers: the CSP would block them anyway.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it('serves every script and stylesheet of web/ and the vendored SSE parser, with their types', async () => {
    expect(WEB_FILES).toContain('app.js');
    for (const name of [...WEB_FILES.filter((f) => f !== 'index.html'), 'eventsource-parser.js']) {
      const reply = await request('GET', `/web/${name}`);
      expect({ name, status: reply.status }).toEqual({ name, status: 200 });
      expect(reply.headers.get('content-type')).toBe(
        name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
      );
      expect(reply.headers.get('cache-control')).toBe('no-cache');
    }
    expect(await (await request('GET', '/web/eventsource-parser.js')).text()).toContain('createParser');
  });

  it('serves nothing else from the disk: unknown names, other extensions and paths out of web/ are 404 or 401', async () => {
    expect((await request('GET', '/web/nothing-here.js')).status).toBe(404);
    expect((await request('GET', '/web/tsconfig.json')).status).toBe(404);
    for (const path of [
      '/web/..%2Fpackage.json',
      '/web/%2e%2e%2fpackage.json',
      '/web/../package.json',
      '/web/sub/app.js',
      '/web/',
      '/web',
      '/webapp.js',
      '/index.html',
      '/package.json',
    ]) {
      const reply = await request('GET', path);
      expect({ path, ok: reply.ok }).toEqual({ path, ok: false });
      expect(await reply.text()).not.toContain('"dependencies"');
    }
  });

  it('exempts only reading: other methods on / and /web/… need the token', async () => {
    for (const [method, path] of [
      ['POST', '/'],
      ['PUT', '/'],
      ['DELETE', '/'],
      ['PATCH', '/'],
      ['POST', '/web/app.js'],
      ['PUT', '/web/app.js'],
      ['DELETE', '/web/app.js'],
    ] as const) {
      const reply = await request(method, path);
      expect({ method, path, status: reply.status }).toEqual({ method, path, status: 401 });
    }
  });
});

describe('the API reference without the token', () => {
  it('serves /reference and its assets as static files under a CSP that runs no inline script, and sets no cookie', async () => {
    for (const path of ['/reference', '/reference?token=anything']) {
      const reply = await request('GET', path);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('set-cookie')).toBeNull();
      const csp = reply.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      const html = await reply.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).toContain('<script type="module" src="/web/reference.js"></script>');
    }
    for (const path of [
      '/reference/assets/swagger-ui-bundle.js',
      '/reference/assets/swagger-ui.css',
      '/web/reference.js',
    ]) {
      expect({ path, status: (await request('GET', path)).status }).toEqual({ path, status: 200 });
    }
    expect((await request('GET', '/reference/assets/package.json')).status).toBe(404);
  });

  it('the page script sends the token as a bearer header, for the document too, and takes it from the #token= fragment', async () => {
    const script = await (await request('GET', '/web/reference.js')).text();
    expect(script).toContain("url: '/openapi.json'");
    expect(script).toContain('requestInterceptor');
    expect(script).toContain('Authorization = `Bearer ${token}`');
    expect(script).toContain('takeTokenFromAddress()');
  });

  it('a cookie holding the right token authenticates nothing', async () => {
    for (const [method, path] of [
      ['GET', '/openapi.json'],
      ['GET', '/projects'],
      ['POST', '/sessions/sess_abcdef/pause'],
    ] as const) {
      const reply = await app.request(path, { method, headers: { cookie: `tevis_token=${TOKEN}` } });
      expect({ method, path, status: reply.status }).toEqual({ method, path, status: 401 });
    }
  });
});

describe('the API behind Mission Control still needs the token', () => {
  it('every route of the OpenAPI document answers 401 without it (or with a wrong one), /health apart', async () => {
    const doc = (await (await request('GET', '/openapi.json', TOKEN)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({
        method: method.toUpperCase(),
        path: path.replace(/\{[^}]+\}/g, 'x'),
      })),
    );
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'GET /projects',
        'GET /sessions',
        'GET /ui-config',
        'GET /sessions/x/events/stream',
        'GET /sessions/x/output/stream',
      ]),
    );
    for (const route of routes) {
      if (route.path === '/health') continue;
      for (const token of [undefined, 'wrong']) {
        const reply = await request(route.method, route.path, token);
        expect({ route, token, status: reply.status }).toEqual({ route, token, status: 401 });
      }
    }
    expect((await request('GET', '/openapi.json')).status).toBe(401);
  });

  it('GET /ui-config tells the page where the Temporal Web UI is, with the token', async () => {
    const reply = await request('GET', '/ui-config', TOKEN);
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({
      temporalUi: { url: 'http://127.0.0.1:8233', namespace: 'default' },
    });
  });
});
