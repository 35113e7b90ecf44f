// @ts-check
/**
 * What an agent hold point shows of the ACP permission request it keeps (agent-permission.ts):
 * the tool call, its options (with the id `--option` names and the decision each answers), and
 * which option approve and reject answer with — for `tevis hold
 * list` and Mission Control's hold point panel alike (the page loads this file as
 * /web/agent-request-view.js). The request comes from the TPU: its text is cleaned and cut here
 * even though the record already bounds it.
 */
import { cut, flat, shortPath } from './acp-text-parts.js';
import { decisionOf, pickOption } from './agent-option-picks.js';

/**
 * @typedef {{ optionId: string, name: string, kind: string, answers: 'approve' | 'reject' | null, side: 'approve' | 'reject' | null }} AgentOptionView
 * @typedef {{ title: string, kind: string | null, paths: string[], input: string | null, options: AgentOptionView[] }} AgentRequestView
 */

/**
 * @param {unknown} request  a hold point's `agentRequest`
 * @returns {AgentRequestView | null}  null when there is none (a plain command's question)
 */
export function agentRequestView(request) {
  if (typeof request !== 'object' || request === null) return null;
  const r = /** @type {Record<string, any>} */ (request);
  const call = typeof r.toolCall === 'object' && r.toolCall !== null ? r.toolCall : {};
  const options = (Array.isArray(r.options) ? r.options : []).slice(0, 20).map((o) => ({
    optionId: typeof o?.optionId === 'string' ? o.optionId : '',
    name: flat(o?.name ?? o?.optionId, 200) || '?',
    kind: flat(o?.kind, 40),
  }));
  /** @type {Map<string, 'approve' | 'reject'>} */
  const answers = new Map();
  for (const decision of /** @type {const} */ (['approve', 'reject'])) {
    const picked = pickOption(options, decision);
    if (picked) answers.set(picked.optionId, decision);
  }
  return {
    title: flat(call.title ?? call.toolCallId, 400) || 'a tool call',
    kind: call.kind ? flat(call.kind, 40) : null,
    paths: (Array.isArray(call.paths) ? call.paths : []).slice(0, 50).map(shortPath),
    input: typeof call.input === 'string' ? cut(call.input, 8000, { keepLines: true }) : null,
    options: options.map((o) => ({
      optionId: o.optionId,
      name: o.name,
      kind: o.kind,
      answers: answers.get(o.optionId) ?? null,
      side: decisionOf(o.kind),
    })),
  };
}
