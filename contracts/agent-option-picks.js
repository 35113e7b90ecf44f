// @ts-check
/**
 * Which of an ACP agent's options a person's decision answers with: approve takes the agent's
 * "allow once", else its "allow always"; reject its "reject once", else "reject always"; none
 * when the agent offered neither. One rule for the workflow that answers (agent-permission.ts)
 * and for what `tevis hold list` and the page mark beside approve and reject
 * (agent-request-view.js; the page loads this file as /web/agent-option-picks.js).
 */
const PICKS = Object.freeze({
  approve: ['allow_once', 'allow_always'],
  reject: ['reject_once', 'reject_always'],
});

/**
 * @template {{ kind: string }} T
 * @param {readonly T[]} options
 * @param {'approve' | 'reject'} decision
 * @returns {T | null}
 */
export function pickOption(options, decision) {
  for (const kind of PICKS[decision]) {
    const option = options.find((o) => o.kind === kind);
    if (option) return option;
  }
  return null;
}
