import type { CommandStamp } from '../contracts/sealed-commands.js';
import type { SessionWorkflowState } from '../contracts/session-state.js';

/**
 * How a run of the session workflow begins:
 * - `start`: a new session; clone, load context, check services.
 * - `continue`: the same session after continue-as-new; pick up where the last run stopped.
 * - `recover`: a session whose workflow was lost, rebuilt from the record; make sure the
 *   workspace exists (re-clone if it was deleted) and carry on in the recorded status.
 */
export interface SessionWorkflowInput {
  phase: 'start' | 'continue' | 'recover';
  state: SessionWorkflowState;
  /** History length that triggers continue-as-new; tests lower it to exercise the hand-over. */
  historyLimit?: number;
  /** The API's stamp on a `start` or `recover` (see workflows/command-guard.ts); absent in older histories. */
  stamp?: CommandStamp;
}
