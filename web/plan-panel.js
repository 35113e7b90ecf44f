// @ts-check
import { ApiError } from './api.js';
import { element, formatTime, byId as $ } from './element.js';
import { renderMarkdown } from './markdown.js';

const OPEN = ['starting', 'active', 'paused', 'ending'];

/**
 * A planning session's plan: the chosen version rendered from its Markdown (as text, never as
 * HTML), a picker over every version, and an editor that drafts a new one while the session is open.
 *
 * @param {{ api: ReturnType<typeof import('./api.js').createApi> }} deps
 */
export function createPlanPanel({ api }) {
  const section = $('plan');
  const picker = /** @type {HTMLSelectElement} */ ($('plan-version'));
  const text = $('plan-text');
  const form = /** @type {HTMLFormElement} */ ($('plan-form'));
  const editor = /** @type {HTMLTextAreaElement} */ ($('plan-editor'));
  const status = $('plan-status');
  /** @type {string | null} */
  let sessionId = null;
  /** The version list last shown, so a refresh that changes nothing leaves the picker (and its focus) alone. */
  let shownVersions = '';

  const showVersion = async (/** @type {string} */ id, /** @type {number | null} */ version) => {
    try {
      const plan = await api.get(
        version === null ? `/sessions/${id}/plan` : `/sessions/${id}/plan/versions/${version}`,
      );
      if (id !== sessionId) return;
      text.replaceChildren(renderMarkdown(plan.plan));
      // The editor starts from the latest plan, unless the person is already writing.
      if (!editor.value) editor.value = plan.plan;
    } catch (error) {
      if (!(error instanceof ApiError && error.type === 'plan-not-found')) throw error;
      text.replaceChildren(element('p', { class: 'empty' }, 'No plan yet. Draft the first version below.'));
    }
  };

  const load = async (/** @type {string} */ id) => {
    const { versions } = await api.get(`/sessions/${id}/plan/versions`);
    if (id !== sessionId) return;
    const key = versions.map((/** @type {any} */ v) => v.version).join(',');
    if (key === shownVersions) return;
    shownVersions = key;
    picker.replaceChildren(
      ...versions.map((/** @type {any} */ v, /** @type {number} */ i) =>
        element(
          'option',
          { value: String(v.version) },
          `Version ${v.version}${i === 0 ? ' (latest)' : ''} — ${v.length} characters, ${formatTime(v.createdAt)}`,
        ),
      ),
    );
    picker.disabled = versions.length === 0;
    await showVersion(id, null);
  };

  picker.onchange = () => {
    if (sessionId)
      void showVersion(sessionId, Number(picker.value)).catch(
        (error) => (status.textContent = error.message),
      );
  };

  form.onsubmit = async (event) => {
    event.preventDefault();
    if (!sessionId) return;
    status.textContent = 'Saving…';
    try {
      const drafted = await api.send('PUT', `/sessions/${sessionId}/plan`, { plan: editor.value });
      status.textContent = drafted.created
        ? `Saved as version ${drafted.version}.`
        : `Unchanged: version ${drafted.version} holds this text already.`;
      shownVersions = '';
      await load(sessionId);
    } catch (error) {
      status.textContent = /** @type {Error} */ (error).message;
    }
  };

  return {
    clear() {
      sessionId = null;
      section.hidden = true;
    },
    /** @param {any} session  the shown session; the panel is for planning sessions only */
    async show(session) {
      if (session.type !== 'planning') return this.clear();
      if (session.id !== sessionId) {
        sessionId = session.id;
        shownVersions = '';
        editor.value = '';
        status.textContent = '';
        text.replaceChildren();
      }
      section.hidden = false;
      form.hidden = !OPEN.includes(session.status);
      await load(session.id);
    },
  };
}
