import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSessionCursor } from '../../contracts/session-cursor.js';
import { expectProblem } from '../support/expect-problem.js';
import { startRouteApp, type RouteApp } from '../support/route-app.js';

/**
 * `GET /sessions` a page at a time (api/routes/sessions.ts): pages follow one another without a gap
 * or a repeat, the last one says there is no more, and a limit or cursor Tevis would not give out
 * is a 400 `validation` that changes nothing.
 */

let r: RouteApp;
const seeded: string[] = [];

beforeAll(async () => {
  r = await startRouteApp();
  await r.seedProject('paged');
  // Paused sessions: any number of them may wait in one project.
  for (let i = 0; i < 7; i++) seeded.push((await r.seedSession({ project: 'paged', status: 'paused' })).id);
});

afterAll(async () => {
  await r?.close();
});

async function readAll(limit: number): Promise<{ pages: number; ids: string[] }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await r.api.call('GET', `/sessions?project=paged&limit=${limit}${after}`);
    expect(page.status).toBe(200);
    expect(page.json.sessions.length).toBeLessThanOrEqual(limit);
    ids.push(...page.json.sessions.map((s: { id: string }) => s.id));
    cursor = page.json.nextCursor;
    pages++;
  } while (cursor && pages < 20);
  return { pages, ids };
}

describe('pages', () => {
  it.each([1, 2, 3, 7, 500])('limit %i reads every session once, newest first', async (limit) => {
    const { pages, ids } = await readAll(limit);
    expect(ids).toEqual([...seeded].reverse());
    expect(pages).toBe(Math.max(1, Math.ceil(seeded.length / limit)));
  });

  it('without a limit answers one page of at most 100 and says there is no more', async () => {
    const page = await r.api.call('GET', '/sessions?project=paged');
    expect(page.json.sessions).toHaveLength(seeded.length);
    expect(page.json.nextCursor).toBeNull();
  });

  it('a session created after the first page does not shift the pages after it', async () => {
    const first = await r.api.call('GET', '/sessions?project=paged&limit=3');
    const late = await r.seedSession({ project: 'paged', status: 'paused' });
    const rest = await r.api.typed.listSessionPage({
      project: 'paged',
      limit: 500,
      cursor: first.json.nextCursor,
    });
    expect([...first.json.sessions, ...rest.sessions].map((s: { id: string }) => s.id)).toEqual(
      [...seeded].reverse(),
    );
    expect(rest.nextCursor).toBeNull();
    seeded.push(late.id);
  });
});

describe('bad limits and cursors', () => {
  it.each([
    ['limit 0', 'limit=0'],
    ['a negative limit', 'limit=-1'],
    ['a limit over the most', 'limit=501'],
    ['a fractional limit', 'limit=1.5'],
    ['a limit that is no number', 'limit=many'],
    ['a cursor that is no base64url', 'cursor=%21%21%21'],
    ['a cursor of garbage', `cursor=${Buffer.from('garbage').toString('base64url')}`],
    ['a cursor with no session id', `cursor=${Buffer.from('1700000000000000.').toString('base64url')}`],
    ['a cursor with a bad time', `cursor=${Buffer.from('soon.sess_abcdef').toString('base64url')}`],
    ['a cursor with a SQL tail', `cursor=${Buffer.from("1.sess_abcdef'--").toString('base64url')}`],
    ['an overlong cursor', `cursor=${'A'.repeat(65)}`],
    ['an empty cursor', 'cursor='],
  ])('%s → 400 validation, nothing changed', async (_what, query) => {
    const before = await r.snapshot();
    expectProblem(await r.api.call('GET', `/sessions?${query}`), 400, 'validation');
    expect(await r.snapshot()).toEqual(before);
  });

  it('a well-formed cursor past every session answers an empty last page', async () => {
    const cursor = formatSessionCursor({ startedAtMicros: '0', id: 'sess_aaaaaa' });
    const page = await r.api.call('GET', `/sessions?cursor=${cursor}`);
    expect(page.status).toBe(200);
    expect(page.json).toEqual({ sessions: [], nextCursor: null });
  });
});
