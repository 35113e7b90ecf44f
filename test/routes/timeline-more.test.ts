import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendEvent } from '../../db/timeline-store.js';
import { startRouteApp, type RouteApp } from '../support/route-app.js';

/**
 * `GET /sessions/{id}/events` (api/routes/timeline.ts) reads at most `limit` events and says
 * `more: true` when it left later ones for the next read, so a reader never takes a cut page for
 * the whole timeline.
 */

let r: RouteApp;
let id: string;

beforeAll(async () => {
  r = await startRouteApp();
  await r.seedProject('timeline');
  id = (await r.seedSession({ project: 'timeline' })).id;
  for (let i = 0; i < 5; i++)
    await appendEvent(r.database.db, { sessionId: id, type: 'session.paused', data: {} });
});

afterAll(async () => {
  await r?.close();
});

it('says more until the last event is read, following after', async () => {
  const seen: number[] = [];
  const mores: boolean[] = [];
  let after = 0;
  for (let reads = 0; reads < 10; reads++) {
    const page = await r.api.call('GET', `/sessions/${id}/events?after=${after}&limit=2`);
    expect(page.status).toBe(200);
    seen.push(...page.json.events.map((e: { seq: number }) => e.seq));
    mores.push(page.json.more);
    if (!page.json.more) break;
    after = page.json.events.at(-1).seq;
  }
  expect(seen).toEqual([1, 2, 3, 4, 5]);
  expect(mores).toEqual([true, true, false]);
  expect((await r.api.call('GET', `/sessions/${id}/events`)).json).toMatchObject({ more: false });
});
