import type { HoldPointResolve, NanocycleCreate, NanocycleMerge } from '../contracts/nanocycle.js';
import type { HoldPointBrief, NanocycleBrief } from '../contracts/session-state.js';
import {
  cancelNanocycleUpdate,
  createNanocycleUpdate,
  mergeNanocycleUpdate,
  resolveHoldPointUpdate,
} from '../workflows/nanocycle-messages.js';
import type { SessionWorkflows } from './session-workflows.js';

/**
 * The nanocycle commands of a development session, each an Update on the session's workflow,
 * which owns the queue, the hold points and the merge queue. The record's checks (capability,
 * open session) are the routes' to make first, in the order they answer.
 */
export class NanocycleCommands {
  constructor(private readonly workflows: SessionWorkflows) {}

  /** Queues a nanocycle on a TPU. */
  create(sessionId: string, input: NanocycleCreate): Promise<NanocycleBrief> {
    return this.workflows.update(sessionId, createNanocycleUpdate, [input]);
  }

  cancel(sessionId: string, nanocycleId: string): Promise<NanocycleBrief> {
    return this.workflows.update(sessionId, cancelNanocycleUpdate, [nanocycleId]);
  }

  /** Approves the nanocycle's merge hold point, with who and why when the body says. */
  merge(sessionId: string, nanocycleId: string, merge: NanocycleMerge): Promise<NanocycleBrief> {
    return this.workflows.update(sessionId, mergeNanocycleUpdate, [nanocycleId, merge]);
  }

  resolveHoldPoint(
    sessionId: string,
    holdPointId: string,
    decision: 'approve' | 'reject',
    resolution: HoldPointResolve,
  ): Promise<HoldPointBrief> {
    return this.workflows.update(sessionId, resolveHoldPointUpdate, [
      { holdPointId, decision, ...resolution },
    ]);
  }
}
