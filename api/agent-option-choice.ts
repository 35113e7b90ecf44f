import { unofferedOptionRefusal } from '../contracts/agent-option-picks.js';
import { TevisError } from '../contracts/errors.js';
import type { HoldDecision } from '../contracts/nanocycle.js';
import type { Database } from '../db/database.js';
import { getHoldPoint } from '../db/hold-points-store.js';

/**
 * An answer that names one of an ACP agent's options (`option`) is checked against the request
 * the hold point keeps, before it goes to the session: an option the agent did not offer, one of
 * the other side, or an option at a question that has none is refused with the options that
 * would do, and nothing is answered. The session refuses an option at a hold point of another
 * kind itself (workflows/session-nanocycles.ts); a hold point not on record yet is left to the
 * session too, which its nanocycle told the options before the record shows them, and which
 * refuses a wrong one the same way.
 */
export async function refuseUnofferedOption(
  db: Database,
  sessionId: string,
  holdPointId: string,
  decision: HoldDecision,
  option: string,
): Promise<void> {
  const hold = await getHoldPoint(db, sessionId, holdPointId);
  if (hold?.status !== 'pending' || hold.kind !== 'agent') return;
  const options = hold.agentRequest?.options;
  if (!options)
    throw new TevisError(
      'validation',
      `${holdPointId} is a plain command's question and has no options to choose: answer it without option`,
      { options: [] },
    );
  const refusal = unofferedOptionRefusal(holdPointId, options, decision, option);
  if (refusal) throw new TevisError('validation', refusal.message, { options: refusal.options });
}
