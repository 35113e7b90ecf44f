import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type { NanocycleCreate, NanocycleMerge } from '../../contracts/nanocycle.js';
import type { NanocycleBrief as NanocycleBriefPayload } from '../../contracts/session-state.js';
import type { HoldAnswerRequest } from '../nanocycle-messages.js';
import type { NanocycleOutcome } from '../nanocycle-outcome.js';
import { answeringWrites, unrecordedWrite } from '../unrecorded-write.js';
import { ChildSignals } from './child-signals.js';
import { createNanocycle } from './create-nanocycle.js';
import { HoldPoints } from './hold-points.js';
import { MergeQueue } from './merge-queue.js';
import { NanocycleBook } from './nanocycle-book.js';
import { TpuScheduler } from './tpu-scheduler.js';
import type { HoldPointBrief, NanocycleEngineState } from './types.js';
import type { WorkspaceHost } from '../workspace-host.js';

/**
 * The session's side of nanocycles, wired together: the TPU limit (the rest wait in order), the
 * children, the hold points a person answers, and the merge queue that merges one at a time.
 * The session workflow's handlers (session-nanocycles.ts) delegate here.
 */
export class NanocycleManager {
  readonly book: NanocycleBook;
  readonly scheduler: TpuScheduler;
  readonly holds: HoldPoints;
  readonly merges: MergeQueue;
  readonly children: ChildSignals;
  /** Per-nanocycle hold policy from its create, over the session's. */
  readonly holdOverrides = new Map<string, { plan?: boolean; merge?: boolean }>();

  constructor(
    state: NanocycleEngineState,
    noteActivity: () => void,
    sealedCommands: boolean,
    host: WorkspaceHost,
    pauseSession: (why: string) => Promise<void>,
  ) {
    this.book = new NanocycleBook(state, noteActivity, host);
    this.scheduler = new TpuScheduler(this.book, (id, outcome) => this.onOutcome(id, outcome));
    this.merges = new MergeQueue(this.book, (id, kind, reason, attempt) =>
      this.holds.open(id, kind, reason, attempt),
    );
    this.holds = new HoldPoints(this.book, { enqueueMerge: (id) => this.merges.enqueue(id), pauseSession });
    this.children = new ChildSignals(this.book, this.scheduler, this.holds, sealedCommands);
  }

  private async onOutcome(id: string, outcome: NanocycleOutcome): Promise<void> {
    const { book } = this;
    const nc = book.brief(id)!;
    Object.assign(nc, {
      status: outcome.status,
      commit: outcome.commit,
      filesChanged: outcome.filesChanged,
      executor: outcome.executor,
      tpuSeconds: outcome.tpuSeconds,
      detail: outcome.detail,
    });
    if (outcome.commit)
      book.state.nanocycleBranchHeads = { ...book.state.nanocycleBranchHeads, [id]: outcome.commit };
    this.holds.dropChildHolds(id);
    book.refreshCounts();
    book.noteActivity();
    // Its host is gone: the workspace moves now, so the next nanocycle runs on a live host.
    if (outcome.hostLost) await book.host.moveFrom(outcome.hostLost);
    if (outcome.status !== 'completed') return;
    if (!outcome.commit) return;
    const mergeHold = this.holdOverrides.get(id)?.merge ?? book.execution.holdPolicy.merge;
    if (mergeHold)
      await this.holds.open(
        id,
        'merge',
        `review ${nc.branch} (${outcome.filesChanged} file(s) changed) before it is merged into ${book.state.branch}`,
      );
    else await this.merges.enqueue(id);
  }

  create(create: NanocycleCreate): Promise<NanocycleBriefPayload> {
    return createNanocycle(this, create);
  }

  async cancel(id: string): Promise<NanocycleBriefPayload> {
    const { book, scheduler } = this;
    const nc = book.brief(id)!;
    if (scheduler.unqueue(id)) {
      await book.setStatus(id, 'cancelled', 'nanocycle.cancelled', { detail: 'cancelled before it started' });
    } else if (scheduler.isRunning(id)) {
      await getExternalWorkflowHandle(book.childId(id)).cancel();
      await scheduler.done(id);
    } else {
      this.holds.dropAllOf(id);
      await book.setStatus(id, 'cancelled', 'nanocycle.cancelled', { detail: 'cancelled before merging' });
    }
    return { ...nc };
  }

  async merge(id: string, merge?: NanocycleMerge): Promise<NanocycleBriefPayload> {
    const { book } = this;
    const state = book.state;
    const nc = book.brief(id)!;
    const hold = this.holds.sessionHoldOf(id);
    if (hold) {
      state.pendingHoldPoints = state.pendingHoldPoints.filter((h) => h !== hold);
      try {
        await answeringWrites.recordHoldPointResolved({
          sessionId: state.sessionId,
          id: hold.id,
          nanocycleId: id,
          kind: hold.kind,
          status: 'approved',
          by: merge?.by ?? 'merge',
          comment: merge?.comment ?? null,
          resolvedAt: new Date().toISOString(),
          eventKey: book.eventKey(),
          webhookUrl: book.execution.webhookUrl,
        });
      } catch (error) {
        // Not recorded, so not merged: the hold point waits as before.
        if (!state.pendingHoldPoints.includes(hold)) state.pendingHoldPoints.push(hold);
        throw unrecordedWrite(error, `the merge of ${id}`);
      }
    }
    await this.merges.enqueue(id);
    return { ...nc };
  }

  async resolveHold(resolution: HoldAnswerRequest): Promise<HoldPointBrief> {
    const hold = this.holds.pending(resolution.holdPointId)!;
    const chosen = resolution.option === undefined ? {} : { option: resolution.option };
    await this.holds.resolve(
      hold,
      resolution.decision,
      {
        comment: resolution.comment ?? null,
        goal: resolution.goal ?? null,
        by: resolution.by ?? 'api',
        ...chosen,
      },
      answeringWrites,
    );
    return hold;
  }

  /**
   * After a recover: nanocycles whose own workflow went with the lost session workflow cannot
   * go on; they are marked failed (create them again). Completed ones can still be merged.
   */
  async failLost(): Promise<void> {
    const state = this.book.state;
    const ownHolds = new Set(state.pendingHoldPoints.map((h) => h.nanocycleId));
    for (const nc of state.nanocycles) {
      const lost =
        nc.status === 'queued' ||
        nc.status === 'running' ||
        (nc.status === 'awaiting_approval' && !ownHolds.has(nc.id));
      if (!lost) continue;
      nc.detail = 'lost when the session workflow stopped; create it again';
      await this.book.setStatus(nc.id, 'failed', 'nanocycle.failed', { detail: nc.detail });
    }
  }

  /** True while a TPU works: the session is busy, not inactive. */
  busy(): boolean {
    return this.book.state.nanocycles.some((n) => n.status === 'running');
  }

  /** Nothing queued, running or merging: safe to continue as new. */
  idle(): boolean {
    return this.scheduler.idle && this.merges.pending === 0;
  }

  /** Before the session ends: nothing new starts, running work is cancelled and awaited. */
  async stop(): Promise<void> {
    const { book } = this;
    for (const item of this.scheduler.takeQueue())
      await book.setStatus(item.id, 'cancelled', 'nanocycle.cancelled', { detail: 'the session ended' });
    for (const id of this.scheduler.runningIds()) await getExternalWorkflowHandle(book.childId(id)).cancel();
    await Promise.all(this.scheduler.allDone());
    await this.merges.settled();
    if (book.execution.push === 'on-end' && book.state.nanocycles.some((n) => n.status === 'merged'))
      await this.merges.pushes.pushBranch('the session ended');
  }
}
