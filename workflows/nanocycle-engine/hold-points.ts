import { getExternalWorkflowHandle, patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { SessionActivities } from '../../activities/index.js';
import { holdPointId, type HoldDecision, type HoldPointAnswer } from '../../contracts/nanocycle.js';
import { isChildHoldKind, type SessionHoldKind } from '../../contracts/nanocycle-statuses.js';
import { ACTIVITY_OPTIONS } from '../activity-options.js';
import { HOLD_WITH_STATUS_PATCH } from '../hold-with-status-patch.js';
import { type AgentOptionChoice, holdAnsweredSignal } from '../nanocycle-messages.js';
import { unrecordedWrite } from '../unrecorded-write.js';
import type { NanocycleBook } from './nanocycle-book.js';
import type { HoldPointBrief } from './types.js';

const acts = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.engineRecords);

/** Where an approved session hold point (merge, conflict) goes, and how the session is paused. */
export interface HoldRoutes {
  enqueueMerge(id: string): Promise<void>;
  pauseSession(why: string): Promise<void>;
}

/**
 * Hold points: the session's own (a merge to review, a conflict to resolve) and those its
 * nanocycles wait on (a plan, an agent's question). Opened, announced by webhook, answered by a
 * person or by the project's deadline, and routed to whoever waits on the answer.
 */
export class HoldPoints {
  /**
   * The options of the agent questions opened in this run, for the answer's validator. Not
   * carried across continue-as-new: by then the record holds them, and the API checks there.
   */
  private readonly agentOptions = new Map<string, readonly AgentOptionChoice[]>();

  constructor(
    private readonly book: NanocycleBook,
    private readonly routes: HoldRoutes,
  ) {}

  private get state() {
    return this.book.state;
  }

  pending(id: string): HoldPointBrief | undefined {
    return this.state.pendingHoldPoints.find((h) => h.id === id);
  }

  /** The options of a pending agent question, when this run was told them. */
  optionsOf(id: string): readonly AgentOptionChoice[] | undefined {
    return this.agentOptions.get(id);
  }

  isPending(id: string | undefined): boolean {
    return this.state.pendingHoldPoints.some((h) => h.id === id);
  }

  /** The merge or conflict hold point a nanocycle waits at, if any. */
  sessionHoldOf(nanocycle: string): HoldPointBrief | undefined {
    return this.state.pendingHoldPoints.find((h) => h.nanocycleId === nanocycle && !isChildHoldKind(h.kind));
  }

  async open(id: string, kind: SessionHoldKind, reason: string, attempt?: number): Promise<void> {
    const hold: HoldPointBrief = {
      id: holdPointId(id, kind, attempt),
      nanocycleId: id,
      kind,
      reason,
      openedAt: new Date().toISOString(),
    };
    this.state.pendingHoldPoints.push(hold);
    this.watchDeadline(hold);
    const waiting = kind === 'merge' ? 'awaiting_approval' : 'conflict';
    // One write for the hold point and its nanocycle's status, so no reader sees one without the
    // other; histories from before wrote the status with a second activity, and replay the same.
    const together = patched(HOLD_WITH_STATUS_PATCH);
    await acts.recordHoldPointOpened({
      sessionId: this.state.sessionId,
      ...hold,
      eventKey: this.book.eventKey(),
      webhookUrl: this.book.execution.webhookUrl,
      ...(together ? { nanocycle: this.book.applyStatus(id, waiting) } : {}),
    });
    if (!together) await this.book.setStatus(id, waiting, null);
  }

  /** A nanocycle's own workflow opened one (it signals before the record shows it to anyone). */
  openedByChild(hold: HoldPointBrief, options?: readonly AgentOptionChoice[]): void {
    if (Array.isArray(options)) this.agentOptions.set(hold.id, options);
    if (!this.state.pendingHoldPoints.some((h) => h.id === hold.id)) this.state.pendingHoldPoints.push(hold);
    this.book.noteActivity();
    this.watchDeadline(hold);
  }

  /** Hold points carried over from the previous run get their deadlines back. */
  resumeDeadlines(): void {
    for (const hold of this.state.pendingHoldPoints) this.watchDeadline(hold);
  }

  /** A nanocycle's own workflow ended: nobody waits on its plan or agent hold points any more. */
  dropChildHolds(nanocycle: string): void {
    const isItsOwn = (h: HoldPointBrief) => h.nanocycleId === nanocycle && isChildHoldKind(h.kind);
    for (const hold of this.state.pendingHoldPoints.filter(isItsOwn)) this.agentOptions.delete(hold.id);
    this.state.pendingHoldPoints = this.state.pendingHoldPoints.filter((h) => !isItsOwn(h));
  }

  /** Cancelled before merging: its merge or conflict hold point goes with it. */
  dropAllOf(nanocycle: string): void {
    this.state.pendingHoldPoints = this.state.pendingHoldPoints.filter((h) => h.nanocycleId !== nanocycle);
  }

  /**
   * The project's hold-point deadline: a hold point nobody answered in time is rejected, or the
   * session is paused so the work waits without a clock running out on it.
   */
  private watchDeadline(hold: HoldPointBrief): void {
    const deadline = this.book.execution.holdDeadline;
    if (!deadline) return;
    // From when it opened, so a deadline carried across continue-as-new keeps its time.
    const dueInMs = Math.max(1, Date.parse(hold.openedAt) + deadline.seconds * 1000 - Date.now());
    void sleep(dueInMs).then(async () => {
      if (!this.state.pendingHoldPoints.some((h) => h.id === hold.id)) return;
      if (deadline.action === 'reject')
        await this.resolve(hold, 'reject', {
          comment: `no answer within ${deadline.seconds} s`,
          goal: null,
          by: 'deadline',
        });
      else await this.routes.pauseSession(`hold point ${hold.id} had no answer within ${deadline.seconds} s`);
    });
  }

  /** A person's answer, or the deadline's: recorded, then routed to whoever waits on it. */
  async resolve(
    hold: HoldPointBrief,
    decision: HoldDecision,
    words: Omit<HoldPointAnswer, 'holdPointId' | 'decision'>,
    writes = acts,
  ): Promise<void> {
    const { state, book } = this;
    const { comment, by } = words;
    // Out of the pending list before any await: a second answer is refused by the validator.
    state.pendingHoldPoints = state.pendingHoldPoints.filter((h) => h.id !== hold.id);
    book.noteActivity();
    const answer: HoldPointAnswer = { holdPointId: hold.id, decision, ...words };
    await writes
      .recordHoldPointResolved({
        sessionId: state.sessionId,
        id: hold.id,
        nanocycleId: hold.nanocycleId,
        kind: hold.kind,
        status: decision === 'approve' ? 'approved' : 'rejected',
        by,
        comment,
        resolvedAt: new Date().toISOString(),
        eventKey: book.eventKey(),
        webhookUrl: book.execution.webhookUrl,
      })
      .catch((error: unknown) => {
        // Not recorded, so not answered: the hold point is pending again, for the next answer.
        if (!state.pendingHoldPoints.some((h) => h.id === hold.id)) state.pendingHoldPoints.push(hold);
        throw unrecordedWrite(error, `the answer to ${hold.id}`);
      });
    this.agentOptions.delete(hold.id);
    if (isChildHoldKind(hold.kind) && hold.nanocycleId) {
      await getExternalWorkflowHandle(book.childId(hold.nanocycleId)).signal(holdAnsweredSignal, {
        ...answer,
        to: book.childId(hold.nanocycleId),
      });
    } else if (hold.nanocycleId && decision === 'approve') {
      await this.routes.enqueueMerge(hold.nanocycleId);
    } else if (hold.nanocycleId) {
      book.brief(hold.nanocycleId)!.detail = comment;
      await book.setStatus(hold.nanocycleId, 'rejected', 'nanocycle.rejected', {
        holdPointId: hold.id,
        comment,
      });
    }
  }
}
