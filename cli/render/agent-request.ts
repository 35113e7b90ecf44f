import { flat } from '../../contracts/acp-text-parts.js';
import { agentRequestView } from '../../contracts/agent-request-view.js';
import type { HoldPointRecord } from '../api-client.js';
import { oneLine } from './nanocycle.js';

/** A tool call's input is shown on one line here; `--json` gives all of it. */
const INPUT_CHARS = 300;

/**
 * What an ACP agent asks at one hold point, under the `hold list` table: the tool call, the files
 * it touches, its input, and its options, each marked with how to answer with it (approve or
 * reject alone for the one they pick, else with the option's id in `--option`).
 * Null for a hold point that carries no request (a plain command's question, a merge).
 */
export function renderAgentRequest(hold: Pick<HoldPointRecord, 'id' | 'nanocycleId' | 'agentRequest'>) {
  const view = agentRequestView(hold.agentRequest);
  if (!view) return null;
  // Each option says how to answer with it: approve or reject alone, or with its id in --option.
  const options = view.options
    .map((o) => {
      if (o.answers) return `${o.name} [${o.answers}]`;
      return o.side ? `${o.name} [${o.side} --option ${flat(o.optionId, 200)}]` : o.name;
    })
    .join(' / ');
  return [
    `${hold.id}${hold.nanocycleId ? ` (${hold.nanocycleId})` : ''} asks: ${view.kind ? `[${view.kind}] ` : ''}${view.title}`,
    view.paths.length ? `  paths: ${view.paths.join(', ')}` : null,
    view.input ? `  input: ${oneLine(view.input, INPUT_CHARS)}` : null,
    `  options: ${options || '(none)'}`,
  ]
    .filter((l) => l !== null)
    .join('\n');
}

/** The requests of the agent hold points listed, a block each; empty when none carries one. */
export function renderAgentRequests(holds: HoldPointRecord[]): string {
  return holds
    .map(renderAgentRequest)
    .filter((block) => block !== null)
    .join('\n\n');
}
