// @ts-check
import { agentRequestView } from '/web/agent-request-view.js';
import { element } from './element.js';

/** What approve and reject do at this hold point, said beside the option they pick. */
const ANSWER_WORDS = { approve: 'Approve answers with this', reject: 'Reject answers with this' };

/**
 * What an ACP agent asks at its hold point: the tool call (title, kind, the files it touches, its
 * input) and the options it offers, each marked with the button that picks it; an option neither
 * button picks (the agent's "allow always", say) gets a button of its own, which approves or
 * rejects with it. Null for a hold point without a request. Everything here comes from the TPU
 * and goes in as text only.
 * @param {unknown} request  the hold point's `agentRequest`
 * @param {(decision: 'approve' | 'reject', optionId: string, event: Event) => void} [choose]  answers with one option
 */
export function agentRequestCard(request, choose) {
  const view = agentRequestView(request);
  if (!view) return null;
  return element(
    'section',
    { class: 'agent-request', 'aria-label': 'What the agent asks' },
    element(
      'p',
      { class: 'tool-call' },
      view.kind ? element('span', { class: 'tool-kind' }, view.kind) : null,
      element('span', { class: 'tool-title' }, view.title),
    ),
    view.paths.length
      ? element('ul', { class: 'tool-paths' }, ...view.paths.map((path) => element('li', {}, path)))
      : null,
    view.input
      ? element('pre', { class: 'tool-input', tabindex: '0', 'aria-label': 'Tool input' }, view.input)
      : null,
    element(
      'ul',
      { class: 'agent-options', 'aria-label': 'Options the agent offers' },
      ...view.options.map((option) =>
        element(
          'li',
          { 'data-kind': option.kind, 'data-answers': option.answers ?? undefined },
          element('span', { class: 'option-name' }, option.name),
          option.answers ? element('span', { class: 'option-answers' }, ANSWER_WORDS[option.answers]) : null,
          !option.answers && option.side && choose
            ? element(
                'button',
                {
                  type: 'button',
                  class: option.side === 'approve' ? 'option-choice' : 'option-choice secondary',
                  'data-option': option.optionId,
                  'data-decision': option.side,
                  onclick: (/** @type {Event} */ e) => choose(option.side ?? 'reject', option.optionId, e),
                },
                `${option.side === 'approve' ? 'Approve' : 'Reject'} with this`,
              )
            : null,
        ),
      ),
    ),
  );
}
