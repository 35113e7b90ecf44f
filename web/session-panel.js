// @ts-check
import { nanocycleStatusWord } from '/web/nanocycle-status-words.js';
import { badge, element, formatDuration, formatTime, byId as $ } from './element.js';

/**
 * The selected session: its details, workspace and execution state, its nanocycles, and the
 * quick actions (pause, resume — as a switch —, end, new nanocycle).
 *
 * @param {{ api: ReturnType<typeof import('./api.js').createApi>, onChanged: () => void }} deps
 */
export function createSessionPanel(deps) {
  /** @type {any} */
  let current = null;
  /** @type {{ url: string, namespace: string } | null} */
  let temporalUi = null;

  const act = async (/** @type {HTMLButtonElement} */ button, /** @type {string} */ action) => {
    if (!current) return;
    $('panel-error').textContent = '';
    button.disabled = true;
    const label = button.textContent;
    if (action === 'end') button.textContent = 'Ending…';
    try {
      await deps.api.post(`/sessions/${current.session.id}/${action}`);
    } catch (error) {
      $('panel-error').textContent = /** @type {Error} */ (error).message;
    } finally {
      button.disabled = false;
      button.textContent = label;
      deps.onChanged();
    }
  };
  $('pause-session').onclick = (e) => act(/** @type {HTMLButtonElement} */ (e.currentTarget), 'pause');
  // Resuming while another session of the project is active would be refused: the button
  // switches, which pauses that one in the same step.
  $('resume-session').onclick = (e) => act(/** @type {HTMLButtonElement} */ (e.currentTarget), 'switch');
  $('end-session').onclick = (e) => act(/** @type {HTMLButtonElement} */ (e.currentTarget), 'end');

  const form = /** @type {HTMLFormElement} */ ($('new-nanocycle-form'));
  form.onsubmit = async (event) => {
    event.preventDefault();
    if (!current) return;
    const error = /** @type {HTMLElement} */ (form.querySelector('.error'));
    error.textContent = '';
    const data = new FormData(form);
    const goal = String(data.get('goal') ?? '').trim();
    const run = String(data.get('run') ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    if (!goal && !run.length) {
      error.textContent = 'Give a goal (for the agent) or run steps.';
      return;
    }
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button'));
    button.disabled = true;
    try {
      await deps.api.post(`/sessions/${current.session.id}/nanocycles`, {
        name: String(data.get('name')).trim(),
        ...(goal ? { goal } : {}),
        ...(run.length ? { run } : {}),
      });
      form.reset();
      deps.onChanged();
    } catch (e) {
      error.textContent = /** @type {Error} */ (e).message;
    } finally {
      button.disabled = false;
    }
  };

  const detail = (/** @type {string} */ term, /** @type {Node | string} */ value) => [
    element('dt', {}, term),
    element('dd', {}, value),
  ];

  return {
    /** @param {{ url: string, namespace: string } | null} ui */
    setTemporalUi(ui) {
      temporalUi = ui;
    },
    clear() {
      current = null;
      $('session-title').textContent = 'No session selected';
      $('panel-empty').hidden = false;
      $('panel-body').hidden = true;
    },
    /** @param {any} view  GET /sessions/{id}: { session, state } */
    show(view) {
      current = view;
      const { session, state } = view;
      const open = ['starting', 'active', 'paused', 'ending'].includes(session.status);
      $('panel-empty').hidden = true;
      $('panel-body').hidden = false;
      $('session-title').replaceChildren(`Session ${session.id} `, badge(session.status));
      const ws = state.workspace;
      const ex = state.execution;
      const ended = session.endedAt ? Date.parse(session.endedAt) : Date.now();
      $('session-details').replaceChildren(
        ...detail('Project', session.project),
        ...detail('Type', session.type),
        ...detail('Repository', session.repository),
        ...detail('Branch', session.branch),
        ...detail('Started', formatTime(session.startedAt)),
        ...detail('Duration', formatDuration((ended - Date.parse(session.startedAt)) / 1000)),
        ...detail(
          'Workspace',
          ws
            ? `${ws.path} — ${ws.gitStatus}${ws.modifiedFiles.length ? `, ${ws.modifiedFiles.length} modified` : ''}${ws.lastCommit ? ` — last commit ${ws.lastCommit.sha.slice(0, 10)} ${ws.lastCommit.subject}` : ''}`
            : 'not cloned yet',
        ),
        ...detail(
          'Execution',
          `${ex.status} — active TPUs: ${ex.activeTpus} · hold points: ${ex.pendingHoldPoints.length}${state.live || !open ? '' : ' (from the record; the workflow did not answer)'}`,
        ),
        ...(session.failure ? detail('Failure', session.failure) : []),
      );
      const link = /** @type {HTMLAnchorElement} */ ($('temporal-link'));
      link.hidden = !temporalUi;
      if (temporalUi)
        link.href = `${temporalUi.url}/namespaces/${encodeURIComponent(temporalUi.namespace)}/workflows/${encodeURIComponent(`session-${session.id}`)}`;
      $('pause-session').hidden = session.status !== 'active';
      $('resume-session').hidden = session.status !== 'paused';
      $('end-session').hidden = !open || session.status === 'ending';
      /** @type {HTMLElement} */ ($('new-nanocycle')).hidden = session.type !== 'development' || !open;

      const nanocycles = state.activeContext.nanocycles;
      $('nanocycles-empty').hidden = nanocycles.length > 0;
      $('nanocycles').hidden = nanocycles.length === 0;
      $('nanocycles')
        .querySelector('tbody')
        ?.replaceChildren(
          ...nanocycles.map((/** @type {any} */ n) =>
            element(
              'tr',
              { 'data-nanocycle': n.id },
              element('td', {}, n.id),
              element('td', {}, n.name),
              element('td', {}, badge(n.status, nanocycleStatusWord(n.status, Boolean(n.commit)))),
              element('td', {}, n.branch),
              element('td', {}, n.executor ?? '—'),
            ),
          ),
        );
    },
  };
}
