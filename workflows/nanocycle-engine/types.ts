import type { NanocycleCreate } from '../../contracts/nanocycle.js';
import type { SessionWorkflowState } from '../../contracts/session-state.js';

/**
 * The part of the session's state the nanocycle engine reads and writes. It lives in the session
 * workflow's state, so continue-as-new carries it to the next run; the engine's working sets (the
 * TPU queue, the children running, the merge queue) do not travel: the hand-over waits until they
 * are empty (`NanocycleManager.idle()`).
 */
export type NanocycleCarryOver = Pick<
  SessionWorkflowState,
  | 'nanocycles'
  | 'pendingHoldPoints'
  | 'nanocycleCounter'
  | 'activeTpus'
  | 'activeNanocycle'
  | 'nanocycleBranchHeads'
>;

/** What the engine reads of the session around it; the session workflow owns these. */
export type NanocycleSessionView = Pick<
  SessionWorkflowState,
  'sessionId' | 'project' | 'type' | 'status' | 'branch' | 'workspacePath' | 'workspaceHost' | 'execution'
>;

export type NanocycleEngineState = NanocycleCarryOver & NanocycleSessionView;

/** A session's nanocycle as the engine keeps it (the query shows it as is). */
export type NanocycleBrief = SessionWorkflowState['nanocycles'][number];
export type HoldPointBrief = SessionWorkflowState['pendingHoldPoints'][number];

/** A nanocycle waiting for a TPU, with what it was created with. */
export interface Queued {
  id: string;
  create: NanocycleCreate;
}
