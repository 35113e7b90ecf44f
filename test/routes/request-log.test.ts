import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveNanocycle } from '../../db/nanocycles-store.js';
import { createLogger } from '../../runtime/logger.js';
import { startRouteApp, type RouteApp } from '../support/route-app.js';

/**
 * The API's request log (api/request-log.ts) on the real app in process: one line per answer,
 * refusals included, with the route's pattern and the path's ids, never a header or a body; a 5xx
 * at `error` with its problem. The same from a real `tevis api` is test/integration/json-logs.test.ts.
 */

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

let r: RouteApp;
let sessionId = '';

beforeAll(async () => {
  r = await startRouteApp({ logger: createLogger('info', sink) });
  await r.seedProject('logs');
  ({ id: sessionId } = await r.seedSession({ project: 'logs', status: 'active' }));
  await saveNanocycle(r.database.db, {
    sessionId,
    goal: null,
    branch: 'feat/x',
    id: 'NC-001',
    name: 'one',
    status: 'merged',
    data: {},
  });
});

afterAll(async () => {
  await r?.close();
});

const lastLine = () => lines.at(-1)!;

describe('the request log', () => {
  it("logs a read with its route pattern, status, duration and the path's session", async () => {
    await r.api.ok('GET', `/sessions/${sessionId}`);
    expect(lastLine()).toMatchObject({
      level: 30,
      msg: 'request',
      method: 'GET',
      route: '/sessions/:id',
      status: 200,
      sessionId,
    });
    expect(typeof lastLine().durationMs).toBe('number');
    expect(lastLine().nanocycleId).toBeUndefined();
  });

  it("logs a nanocycle's path with its nanocycle", async () => {
    await r.api.call('GET', `/sessions/${sessionId}/nanocycles/NC-001/diff`);
    expect(lastLine()).toMatchObject({
      route: '/sessions/:id/nanocycles/:nc/diff',
      sessionId,
      nanocycleId: 'NC-001',
    });
  });

  it('logs a refusal, without the header or the body sent', async () => {
    const refused = await r.api.call(
      'POST',
      `/sessions/${sessionId}/pause`,
      { note: 'body-secret-1' },
      { token: 'header-secret-2' },
    );
    expect(refused.status).toBe(401);
    expect(lastLine()).toMatchObject({
      method: 'POST',
      route: '/sessions/:id/pause',
      status: 401,
      sessionId,
    });
    expect(JSON.stringify(lines)).not.toContain('secret');
    expect(JSON.stringify(lines)).not.toContain(r.token);
  });

  it('names no session for a path that holds no session id', async () => {
    await r.api.call('GET', '/sessions/not-an-id');
    expect(lastLine()).toMatchObject({ route: '/sessions/:id', status: 400 });
    expect(lastLine().sessionId).toBeUndefined();
  });

  it("logs a 5xx at error with its problem's type and detail", async () => {
    // The route app's Temporal is a port nobody listens on: the pause is answered 503.
    const failed = await r.api.call('POST', `/sessions/${sessionId}/pause`);
    expect(failed.status).toBe(503);
    const body = JSON.parse(failed.text) as { type: string; detail: string };
    expect(lastLine()).toMatchObject({
      level: 50,
      msg: 'request failed',
      route: '/sessions/:id/pause',
      status: 503,
      problemType: body.type,
      detail: body.detail,
    });
  });
});
