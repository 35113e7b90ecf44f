// @ts-check

/**
 * Every session of a project, newest first, read a page at a time: `GET /sessions` answers at most
 * a page and says with `nextCursor` where the next one starts, so the switcher never shows a cut list.
 * @param {{ get: (path: string) => Promise<any> }} api
 * @param {string} project
 * @returns {Promise<any[]>}
 */
export async function listProjectSessions(api, project) {
  const sessions = [];
  /** @type {string | null} */
  let cursor = null;
  do {
    const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await api.get(`/sessions?project=${encodeURIComponent(project)}&all=true&limit=500${after}`);
    sessions.push(...page.sessions);
    cursor = page.nextCursor;
  } while (cursor);
  return sessions;
}
