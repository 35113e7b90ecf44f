import { describe, expect, it } from 'vitest';
import { HOLD_POINT_KINDS, NANOCYCLE_STATUSES } from '../../contracts/nanocycle.js';
import {
  CHILD_HOLD_KINDS,
  FINAL_NANOCYCLE_STATUSES,
  isChildHoldKind,
  isFinalNanocycleStatus,
  NANOCYCLE_OUTCOME_STATUSES,
  nanocycleRunsAreOver,
  waitsForMerge,
} from '../../contracts/nanocycle-statuses.js';

describe('nanocycle status sets', () => {
  it('final: merged, failed, cancelled and rejected; every other status can still change', () => {
    const final = NANOCYCLE_STATUSES.filter((s) => isFinalNanocycleStatus(s));
    expect(final).toEqual(['merged', 'failed', 'cancelled', 'rejected']);
    expect(final).toEqual([...FINAL_NANOCYCLE_STATUSES]);
    // `completed` waits for its merge and `conflict` for a second try: neither is final.
    expect(isFinalNanocycleStatus('completed')).toBe(false);
    expect(isFinalNanocycleStatus('conflict')).toBe(false);
    expect(isFinalNanocycleStatus('not-a-status')).toBe(false);
  });

  it("a nanocycle's own workflow ends in a status of the enum, never merged or conflict", () => {
    for (const status of NANOCYCLE_OUTCOME_STATUSES) expect(NANOCYCLE_STATUSES).toContain(status);
    expect(NANOCYCLE_OUTCOME_STATUSES).not.toContain('merged');
    expect(NANOCYCLE_OUTCOME_STATUSES).not.toContain('conflict');
  });

  it('runs are over in every status but queued, running and awaiting_approval', () => {
    expect(NANOCYCLE_STATUSES.filter((s) => !nanocycleRunsAreOver(s))).toEqual([
      'queued',
      'running',
      'awaiting_approval',
    ]);
    // Every final status is one whose runs are over.
    for (const status of FINAL_NANOCYCLE_STATUSES) expect(nanocycleRunsAreOver(status)).toBe(true);
  });

  it('waits for a merge when completed, in conflict, or at its merge hold point', () => {
    const waiting = NANOCYCLE_STATUSES.filter((s) => waitsForMerge(s, false));
    expect(waiting).toEqual(['completed', 'conflict']);
    expect(waitsForMerge('awaiting_approval', true)).toBe(true);
    // At a plan or agent hold point it has nothing to merge yet.
    expect(waitsForMerge('awaiting_approval', false)).toBe(false);
  });

  it("plan and agent hold points are the child workflow's; merge and conflict the session's", () => {
    expect(HOLD_POINT_KINDS.filter(isChildHoldKind)).toEqual([...CHILD_HOLD_KINDS]);
    expect(HOLD_POINT_KINDS.filter((k) => !isChildHoldKind(k))).toEqual(['merge', 'conflict']);
  });
});
