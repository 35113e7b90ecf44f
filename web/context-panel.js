// @ts-check
import { element, byId as $ } from './element.js';

const OPEN = ['starting', 'active', 'paused', 'ending'];

/**
 * A planning session's context: the `.tevis/` documents the next session loads (list, view, edit,
 * delete — each change a commit on the session's branch) and the preferences it loads.
 *
 * @param {{ api: ReturnType<typeof import('./api.js').createApi> }} deps
 */
export function createContextPanel({ api }) {
  const section = $('context');
  const list = $('context-docs');
  const form = /** @type {HTMLFormElement} */ ($('context-form'));
  const path = /** @type {HTMLInputElement} */ ($('context-path'));
  const content = /** @type {HTMLTextAreaElement} */ ($('context-content'));
  const remove = /** @type {HTMLButtonElement} */ ($('context-delete'));
  const status = $('context-status');
  const prefs = $('context-prefs');
  const prefForm = /** @type {HTMLFormElement} */ ($('prefs-form'));
  const prefKey = /** @type {HTMLInputElement} */ ($('prefs-key'));
  const prefValue = /** @type {HTMLInputElement} */ ($('prefs-value'));
  /** @type {string | null} */
  let sessionId = null;
  let open = false;
  const docUrl = (/** @type {string} */ id, /** @type {string} */ p) =>
    `/sessions/${id}/context/document?path=${encodeURIComponent(p)}`;
  const report = (/** @type {unknown} */ error) =>
    (status.textContent = /** @type {Error} */ (error).message);

  const openDocument = async (/** @type {string} */ p) => {
    if (!sessionId) return;
    const doc = await api.get(docUrl(sessionId, p));
    path.value = doc.path;
    content.value = doc.content;
    status.textContent = `.tevis/${doc.path} (${doc.bytes} bytes)`;
  };

  const loadDocuments = async (/** @type {string} */ id) => {
    const { documents } = await api.get(`/sessions/${id}/context/documents`);
    if (id !== sessionId) return;
    list.replaceChildren(
      ...documents.map((/** @type {any} */ d) =>
        element(
          'li',
          {},
          element(
            'button',
            { type: 'button', class: 'link', onclick: () => void openDocument(d.path).catch(report) },
            `.tevis/${d.path}`,
          ),
          ` ${d.bytes} bytes`,
        ),
      ),
    );
    if (documents.length === 0) list.append(element('li', { class: 'empty' }, 'No context documents yet.'));
  };

  const showPreferences = (/** @type {any} */ p) => {
    const keys = Object.keys(p.effective).sort();
    prefs.replaceChildren(
      ...keys.flatMap((k) => {
        const fromProject = k in p.projectSettings;
        return [
          element('dt', {}, k),
          element(
            'dd',
            {},
            `${p.effective[k]} `,
            element('span', { class: 'hint' }, fromProject ? '(project)' : '(repository)'),
            open && fromProject
              ? element(
                  'button',
                  {
                    type: 'button',
                    class: 'link',
                    'aria-label': `Remove preference ${k}`,
                    onclick: () => void changePreferences({ unset: [k] }),
                  },
                  'Remove',
                )
              : null,
          ),
        ];
      }),
    );
    if (keys.length === 0) prefs.append(element('dd', { class: 'empty' }, 'No preferences.'));
  };

  const loadPreferences = async (/** @type {string} */ id) => {
    const p = await api.get(`/sessions/${id}/context/preferences`);
    if (id === sessionId) showPreferences(p);
  };

  const changePreferences = async (/** @type {unknown} */ change) => {
    if (!sessionId) return;
    try {
      showPreferences(await api.send('PATCH', `/sessions/${sessionId}/context/preferences`, change));
      status.textContent = 'Preferences saved for the next session.';
    } catch (error) {
      report(error);
    }
  };

  const edit = async (/** @type {'PUT' | 'DELETE'} */ method) => {
    if (!sessionId) return;
    status.textContent = method === 'PUT' ? 'Saving…' : 'Deleting…';
    try {
      const edited = await api.send(
        method,
        docUrl(sessionId, path.value.replace(/^\.tevis\//, '')),
        method === 'PUT' ? { content: content.value } : undefined,
      );
      status.textContent = edited.changed
        ? `${edited.action === 'deleted' ? 'Deleted' : 'Saved'} .tevis/${edited.path}: commit ${String(edited.commit).slice(0, 12)}`
        : `.tevis/${edited.path} unchanged.`;
      if (method === 'DELETE') content.value = '';
      await loadDocuments(sessionId);
    } catch (error) {
      report(error);
    }
  };

  form.onsubmit = (event) => {
    event.preventDefault();
    void edit('PUT');
  };
  remove.onclick = () => void edit('DELETE');
  prefForm.onsubmit = (event) => {
    event.preventDefault();
    void changePreferences({ set: { [prefKey.value]: prefValue.value } }).then(() => {
      prefKey.value = '';
      prefValue.value = '';
    });
  };

  return {
    clear() {
      sessionId = null;
      section.hidden = true;
    },
    /** @param {any} session */
    async show(session) {
      if (session.type !== 'planning') return this.clear();
      if (session.id !== sessionId) {
        sessionId = session.id;
        path.value = '';
        content.value = '';
        status.textContent = '';
      }
      open = OPEN.includes(session.status);
      section.hidden = false;
      form.hidden = !open;
      prefForm.hidden = !open;
      await Promise.all([loadDocuments(session.id), loadPreferences(session.id)]);
    },
  };
}
