// @ts-check
import { badge, element, formatTime } from './element.js';

/** What a click on a session in each status does, said on the button. */
const CLICK_SAYS = {
  paused: 'Switch to this session: resume it and pause the active one',
  active: 'The current session of the project',
};

/**
 * The project picker and all the project's sessions, newest first, each with its status in words
 * and colour; the active one (at most one a project) is marked "current". One click on a session
 * shows it, and on a paused one also switches to it (see app.js). Also the form that creates one.
 *
 * @param {{ api: ReturnType<typeof import('./api.js').createApi>, onSelect: (id: string, status?: string) => void, onProject: (name: string) => void }} deps
 */
export function createSessionSwitcher(deps) {
  const picker = /** @type {HTMLSelectElement} */ (document.getElementById('project-picker'));
  const list = /** @type {HTMLElement} */ (document.getElementById('session-list'));
  const empty = /** @type {HTMLElement} */ (document.getElementById('sessions-empty'));
  const form = /** @type {HTMLFormElement} */ (document.getElementById('new-session-form'));
  const formError = /** @type {HTMLElement} */ (form.querySelector('.error'));
  /** @type {string | null} */
  let selected = null;

  picker.onchange = () => deps.onProject(picker.value);
  form.onsubmit = async (event) => {
    event.preventDefault();
    formError.textContent = '';
    const data = new FormData(form);
    const branch = String(data.get('branch') ?? '').trim();
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button'));
    button.disabled = true;
    try {
      const created = await deps.api.post('/sessions', {
        project: picker.value,
        type: data.get('type'),
        ...(branch ? { branch } : {}),
      });
      form.reset();
      /** @type {HTMLDetailsElement} */ (document.getElementById('new-session')).open = false;
      deps.onSelect(created.id);
    } catch (error) {
      formError.textContent = /** @type {Error} */ (error).message;
    } finally {
      button.disabled = false;
    }
  };

  return {
    /** @param {{ name: string }[]} projects @param {string | null} current */
    showProjects(projects, current) {
      picker.replaceChildren(
        ...projects.map((p) => element('option', { value: p.name, selected: p.name === current }, p.name)),
      );
      /** @type {HTMLButtonElement} */ (form.querySelector('button')).disabled = projects.length === 0;
    },
    /** @param {any[]} sessions @param {string | null} selectedId */
    showSessions(sessions, selectedId) {
      selected = selectedId;
      empty.hidden = sessions.length > 0;
      empty.textContent = picker.value
        ? `No sessions in ${picker.value} yet: create one below.`
        : 'No projects yet: create one with `tevis project create`.';
      list.replaceChildren(
        ...sessions.map((s) =>
          element(
            'li',
            {},
            element(
              'button',
              {
                type: 'button',
                'aria-current': String(s.id === selected),
                'data-session': s.id,
                'data-status': s.status,
                'data-current': String(s.status === 'active'),
                title: CLICK_SAYS[/** @type {keyof typeof CLICK_SAYS} */ (s.status)] ?? 'Show this session',
                onclick: () => deps.onSelect(s.id, s.status),
              },
              element(
                'span',
                {},
                element('strong', {}, s.id),
                s.status === 'active' ? element('span', { class: 'current-mark' }, ' current') : '',
                element('br'),
                element('small', {}, `${s.type} · ${s.branch} · ${formatTime(s.startedAt)}`),
              ),
              badge(s.status),
            ),
          ),
        ),
      );
    },
  };
}
