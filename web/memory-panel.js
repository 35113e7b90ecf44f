// @ts-check
import { element, formatTime, byId as $ } from './element.js';
import { renderMarkdown } from './markdown.js';

/**
 * The project's memory as the shown session browses it: entries newest first, a kind filter,
 * older pages on demand, one entry opened as rendered Markdown (built from text, never HTML).
 *
 * @param {{ api: ReturnType<typeof import('./api.js').createApi> }} deps
 */
export function createMemoryPanel({ api }) {
  const section = $('memory');
  const kind = /** @type {HTMLSelectElement} */ ($('memory-kind'));
  const list = $('memory-list');
  const more = /** @type {HTMLButtonElement} */ ($('memory-more'));
  const entry = $('memory-entry');
  /** @type {string | null} */
  let sessionId = null;
  /** @type {number | null} */
  let next = null;
  /** What the first page showed, so a refresh that brings nothing new leaves the list (and what is open) alone. */
  let shownFirst = '';

  const firstLine = (/** @type {string} */ text) =>
    (text.split('\n').find((l) => l.trim()) ?? '').replace(/^#+\s*/, '');

  const openEntry = async (/** @type {number} */ id) => {
    if (!sessionId) return;
    const e = await api.get(`/sessions/${sessionId}/memory/${id}`);
    entry.replaceChildren(
      element(
        'p',
        { class: 'hint' },
        `Entry ${e.id} · ${e.kind} · ${e.sessionId ?? 'no session'} · ${formatTime(e.createdAt)}`,
      ),
      renderMarkdown(e.content, 4),
    );
  };

  /** @returns {Promise<HTMLElement[] | null>} null when another session was chosen meanwhile */
  const page = async (/** @type {string} */ id, /** @type {number | null} */ before) => {
    const query = new URLSearchParams({ limit: '10' });
    if (kind.value) query.set('kind', kind.value);
    if (before) query.set('before', String(before));
    const result = await api.get(`/sessions/${id}/memory?${query}`);
    if (id !== sessionId) return null;
    next = result.next;
    more.hidden = next === null;
    return result.entries.map((/** @type {any} */ e) =>
      element(
        'li',
        {},
        element(
          'button',
          { type: 'button', class: 'link', onclick: () => void openEntry(e.id) },
          `#${e.id} ${e.kind}`,
        ),
        ` ${formatTime(e.createdAt)} — ${firstLine(e.content)}`,
      ),
    );
  };

  const loadFirst = async (/** @type {string} */ id, /** @type {boolean} */ force) => {
    const items = await page(id, null);
    if (!items) return;
    const key = `${kind.value}|${items.map((i) => i.textContent).join('|')}`;
    if (!force && key === shownFirst) return;
    shownFirst = key;
    list.replaceChildren(...items);
    if (items.length === 0)
      list.append(
        element('li', { class: 'empty' }, "No memory yet: a session's summary is filed here when it ends."),
      );
  };

  kind.onchange = () => {
    if (sessionId) void loadFirst(sessionId, true);
  };
  more.onclick = async () => {
    if (!sessionId || next === null) return;
    const items = await page(sessionId, next);
    if (items) list.append(...items);
  };

  return {
    clear() {
      sessionId = null;
      section.hidden = true;
    },
    /** @param {any} session */
    async show(session) {
      if (session.id !== sessionId) {
        sessionId = session.id;
        shownFirst = '';
        entry.replaceChildren();
      }
      section.hidden = false;
      await loadFirst(session.id, false);
    },
  };
}
