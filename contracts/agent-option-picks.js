// @ts-check
/**
 * Which of an ACP agent's options a person's decision answers with: approve takes the agent's
 * "allow once", else its "allow always"; reject its "reject once", else "reject always"; none
 * when the agent offered neither. A person may name another option of the decision's side instead
 * (an "allow always", say): `chosenOptionProblem` says why a named one cannot be taken. One rule
 * for the workflow that answers (agent-permission.ts), the API that refuses a wrong choice, and
 * what `tevis hold list` and the page mark beside approve and reject (agent-request-view.js; the
 * page loads this file as /web/agent-option-picks.js).
 */
const PICKS = Object.freeze({
  approve: ['allow_once', 'allow_always'],
  reject: ['reject_once', 'reject_always'],
});

/**
 * The decision an option of this kind answers: allow options approve, reject options reject.
 * @param {string} kind
 * @returns {'approve' | 'reject' | null}
 */
export function decisionOf(kind) {
  if (PICKS.approve.includes(kind)) return 'approve';
  if (PICKS.reject.includes(kind)) return 'reject';
  return null;
}

/**
 * @template {{ kind: string, optionId: string }} T
 * @param {readonly T[]} options
 * @param {'approve' | 'reject'} decision
 * @param {string} [chosen]  an option id the person named; taken only when it is of the decision's side
 * @returns {T | null}
 */
export function pickOption(options, decision, chosen) {
  if (chosen !== undefined) {
    const named = options.find((o) => o.optionId === chosen);
    if (named && !chosenOptionProblem(options, decision, chosen)) return named;
  }
  for (const kind of PICKS[decision]) {
    const option = options.find((o) => o.kind === kind);
    if (option) return option;
  }
  return null;
}

/**
 * Why the option a person named cannot answer this request with this decision; null when it can.
 * @param {readonly { kind: string, optionId: string }[]} options
 * @param {'approve' | 'reject'} decision
 * @param {string} chosen
 * @returns {string | null}
 */
export function chosenOptionProblem(options, decision, chosen) {
  const side = options.filter((o) => decisionOf(o.kind) === decision).map((o) => JSON.stringify(o.optionId));
  const offered = side.length
    ? `its ${decision} options are ${side.join(', ')}`
    : `it offers no option to ${decision}`;
  const named = options.find((o) => o.optionId === chosen);
  if (!named) return `the agent offers no option ${JSON.stringify(chosen)}: ${offered}`;
  if (decisionOf(named.kind) !== decision)
    return `option ${JSON.stringify(chosen)} is ${/^[aeiou]/.test(named.kind) ? 'an' : 'a'} ${named.kind} option, not one to ${decision} with: ${offered}`;
  return null;
}

/**
 * What refuses an option a person named for this request and decision: the words, and the ids of
 * the options of the decision's side that would do; null when the option can be taken. The API
 * (against the record) and the session (before the record shows the options) refuse with it alike.
 * @param {string} holdPointId
 * @param {readonly { kind: string, optionId: string }[]} options
 * @param {'approve' | 'reject'} decision
 * @param {string} chosen
 * @returns {{ message: string, options: string[] } | null}
 */
export function unofferedOptionRefusal(holdPointId, options, decision, chosen) {
  const problem = chosenOptionProblem(options, decision, chosen);
  if (!problem) return null;
  return {
    message: `${holdPointId}: ${problem}`,
    options: options.filter((o) => decisionOf(o.kind) === decision).map((o) => o.optionId),
  };
}
