// @ts-check
import { agentRequestCard } from './agent-request-card.js';
import { element } from './element.js';

/** Long patches stay readable: the page shows this much; the CLI and API give all of it. */
const MAX_PATCH_CHARS = 60_000;

/**
 * What waits for a person: each pending hold point with its reason, a comment box and approve /
 * reject in one place; a merge hold point shows its nanocycle's diff beside it, an ACP agent's
 * hold point the tool call it asks to run and its options (agent-request-card.js). The page is told
 * which ones are pending, to keep a notice at the top while any is.
 *
 * @param {{ api: ReturnType<typeof import('./api.js').createApi>, onPending: (pending: any[]) => void, onChanged: () => void }} deps
 */
export function createHoldPoints(deps) {
  const list = /** @type {HTMLElement} */ (document.getElementById('hold-list'));
  const empty = /** @type {HTMLElement} */ (document.getElementById('holds-empty'));
  /** @type {string | null} */
  let sessionId = null;
  /** @type {Map<string, HTMLElement>} cards by hold point id, kept while pending so a comment being typed survives a refresh */
  let cards = new Map();

  const card = (/** @type {any} */ hold, /** @type {boolean} */ open) => {
    const commentId = `comment-${hold.id}`;
    const error = element('p', { class: 'error', role: 'alert' });
    const comment = /** @type {HTMLTextAreaElement} */ (element('textarea', { id: commentId, rows: '2' }));
    const decide = async (
      /** @type {'approve' | 'reject'} */ decision,
      /** @type {Event} */ event,
      /** @type {string} */ option = '',
    ) => {
      const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
      button.disabled = true;
      error.textContent = '';
      try {
        await deps.api.post(`/sessions/${sessionId}/holds/${encodeURIComponent(hold.id)}/${decision}`, {
          by: 'Mission Control',
          ...(comment.value.trim() ? { comment: comment.value.trim() } : {}),
          ...(option ? { option } : {}),
        });
        deps.onChanged();
      } catch (e) {
        error.textContent = /** @type {Error} */ (e).message;
        button.disabled = false;
      }
    };
    const diff = element('div', { class: 'diff-box' });
    const node = element(
      'article',
      { class: 'hold', 'data-hold': hold.id, 'aria-label': `Hold point ${hold.id}` },
      element('h3', {}, `${hold.id} — ${hold.kind}${hold.nanocycleId ? ` (${hold.nanocycleId})` : ''}`),
      element('p', {}, hold.reason),
      agentRequestCard(hold.agentRequest, (decision, option, e) => decide(decision, e, option)),
      diff,
      element('label', { for: commentId }, 'Comment'),
      comment,
      element(
        'div',
        { class: 'actions' },
        element(
          'button',
          { type: 'button', 'data-decision': 'approve', onclick: (e) => decide('approve', e) },
          'Approve',
        ),
        element(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'data-decision': 'reject',
            onclick: (e) => decide('reject', e),
          },
          'Reject',
        ),
      ),
      error,
    );
    if (open && (hold.kind === 'merge' || hold.kind === 'conflict') && hold.nanocycleId)
      void showDiff(diff, hold.nanocycleId);
    return node;
  };

  const showDiff = async (/** @type {HTMLElement} */ box, /** @type {string} */ nanocycleId) => {
    try {
      const diff = await deps.api.get(`/sessions/${sessionId}/nanocycles/${nanocycleId}/diff`);
      const files = element(
        'ul',
        { class: 'files' },
        ...diff.files.map((/** @type {any} */ f) =>
          element('li', {}, `${f.path}  +${f.additions} −${f.deletions}`),
        ),
      );
      const patch =
        diff.patch.length > MAX_PATCH_CHARS
          ? `${diff.patch.slice(0, MAX_PATCH_CHARS)}\n… (longer; \`tevis nanocycle diff ${nanocycleId}\` shows all)`
          : diff.patch;
      box.replaceChildren(
        element('h4', {}, `Diff of ${nanocycleId}`),
        files,
        element(
          'pre',
          { class: 'diff', tabindex: '0', 'aria-label': `Diff of ${nanocycleId}` },
          patch || '(no changes)',
        ),
      );
    } catch (e) {
      box.replaceChildren(
        element('p', { class: 'error' }, `The diff could not be read: ${/** @type {Error} */ (e).message}`),
      );
    }
  };

  return {
    /** @param {string} id */
    reset(id) {
      sessionId = id;
      cards = new Map();
      list.replaceChildren();
      empty.hidden = false;
      deps.onPending([]);
    },
    /** Moves the keyboard to the first pending hold point's comment box. */
    focusFirst() {
      const first = list.querySelector('textarea');
      first?.scrollIntoView({ block: 'center' });
      /** @type {HTMLElement | null} */ (first)?.focus();
    },
    /** @param {any[]} holds  GET /sessions/{id}/holds @param {boolean} open whether the session can still act on them */
    show(holds, open) {
      const pending = holds.filter((h) => h.status === 'pending');
      deps.onPending(pending);
      const next = new Map();
      for (const hold of pending) next.set(hold.id, cards.get(hold.id) ?? card(hold, open));
      cards = next;
      list.replaceChildren(...cards.values());
      empty.hidden = pending.length > 0;
    },
  };
}
