import type { HoldPointKind, NanocycleStatus } from './nanocycle.js';

/**
 * The sets of nanocycle statuses the engine decides by, in one place (the statuses themselves are
 * `NANOCYCLE_STATUSES` in contracts/nanocycle.ts). Pure, so workflows can import it.
 */

/** Nothing happens to the nanocycle any more: no cancel, no merge, no progress from its workflow. */
export const FINAL_NANOCYCLE_STATUSES = [
  'merged',
  'failed',
  'cancelled',
  'rejected',
] as const satisfies readonly NanocycleStatus[];
export type FinalNanocycleStatus = (typeof FINAL_NANOCYCLE_STATUSES)[number];

export function isFinalNanocycleStatus(status: string): status is FinalNanocycleStatus {
  return (FINAL_NANOCYCLE_STATUSES as readonly string[]).includes(status);
}

/**
 * No TPU run of the nanocycle starts again: its output is over and its containers can go. The
 * final statuses, and those waiting for a merge (`completed`, `conflict`), which runs no TPU.
 * `awaiting_approval` is not among them: at a plan or agent hold point the TPU runs again after.
 */
export const RUNS_OVER_NANOCYCLE_STATUSES = [
  'completed',
  ...FINAL_NANOCYCLE_STATUSES,
  'conflict',
] as const satisfies readonly NanocycleStatus[];

export function nanocycleRunsAreOver(status: string): boolean {
  return (RUNS_OVER_NANOCYCLE_STATUSES as readonly string[]).includes(status);
}

/** How a nanocycle's own workflow ends; merging (and so `merged`, `conflict`) is the session's. */
export const NANOCYCLE_OUTCOME_STATUSES = [
  'completed',
  'failed',
  'cancelled',
  'rejected',
] as const satisfies readonly NanocycleStatus[];
export type NanocycleOutcomeStatus = (typeof NANOCYCLE_OUTCOME_STATUSES)[number];

/** Waiting for its merge: the work is committed, a person (or the merge queue) merges it. */
export function waitsForMerge(status: string, hasMergeHold: boolean): boolean {
  return status === 'completed' || status === 'conflict' || (status === 'awaiting_approval' && hasMergeHold);
}

/**
 * Hold points the nanocycle's own workflow waits on (plan approval, an agent's question); the
 * `merge` and `conflict` ones are the session's merge queue's.
 */
export const CHILD_HOLD_KINDS = ['plan', 'agent'] as const satisfies readonly HoldPointKind[];
/** Hold points the session opens itself, around a merge. */
export type SessionHoldKind = Exclude<HoldPointKind, (typeof CHILD_HOLD_KINDS)[number]>;

export function isChildHoldKind(kind: string): boolean {
  return (CHILD_HOLD_KINDS as readonly string[]).includes(kind);
}
