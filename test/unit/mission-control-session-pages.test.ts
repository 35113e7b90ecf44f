import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JS module of Mission Control, typechecked on its own by tsc -p web
import { listProjectSessions } from '../../web/session-pages.js';

/** Mission Control's session list (web/session-pages.js) reads every page, never only the first. */
describe('listProjectSessions', () => {
  it('follows nextCursor to the last page, asking for the project and every status', async () => {
    const asked: string[] = [];
    const pages: Record<string, { sessions: Array<{ id: string }>; nextCursor: string | null }> = {
      '': { sessions: [{ id: 's3' }, { id: 's2' }], nextCursor: 'c1' },
      c1: { sessions: [{ id: 's1' }], nextCursor: null },
    };
    const api = {
      get: async (path: string) => {
        asked.push(path);
        return pages[new URL(path, 'http://x').searchParams.get('cursor') ?? '']!;
      },
    };
    expect(await listProjectSessions(api, 'my app')).toEqual([{ id: 's3' }, { id: 's2' }, { id: 's1' }]);
    expect(asked).toEqual([
      '/sessions?project=my%20app&all=true&limit=500',
      '/sessions?project=my%20app&all=true&limit=500&cursor=c1',
    ]);
  });
});
