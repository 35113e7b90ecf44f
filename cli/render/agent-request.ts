import { agentRequestView } from '../../contracts/agent-request-view.js';
import type { HoldPointRecord } from '../api-client.js';
import { oneLine } from './nanocycle.js';

/** A tool call's input is shown on one line here; `--json` gives all of it. */
const INPUT_CHARS = 300;

/**
 * What an ACP agent asks at one hold point, under the `hold list` table: the tool call, the files
 * it touches, its input, and its options, marked with the one approve and reject answer with.
 * Null for a hold point that carries no request (a plain command's question, a merge).
 */
export function renderAgentRequest(hold: Pick<HoldPointRecord, 'id' | 'nanocycleId' | 'agentRequest'>) {
  const view = agentRequestView(hold.agentRequest);
  if (!view) return null;
  const options = view.options.map((o) => (o.answers ? `${o.name} [${o.answers}]` : o.name)).join(' / ');
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
