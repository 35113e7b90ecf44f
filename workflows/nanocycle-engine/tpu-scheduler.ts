import { executeChild, workflowInfo } from '@temporalio/workflow';
import type { NanocycleWorkflowInput } from '../nanocycle-input.js';
import type { NanocycleOutcome } from '../nanocycle-outcome.js';
import type { NanocycleBook } from './nanocycle-book.js';
import type { Queued } from './types.js';

/**
 * The TPU limit: at most `tpuLimit` nanocycle workflows run at once; the rest wait in the order
 * they were created. Each child's outcome (or its failure) goes to `onOutcome`, then the next in
 * line starts.
 */
export class TpuScheduler {
  private readonly queue: Queued[] = [];
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly book: NanocycleBook,
    private readonly onOutcome: (id: string, outcome: NanocycleOutcome) => Promise<void>,
  ) {}

  /** Nothing waiting and nothing running. */
  get idle(): boolean {
    return this.queue.length === 0 && this.running.size === 0;
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  enqueue(item: Queued): void {
    this.queue.push(item);
    this.pump();
  }

  /** Takes a nanocycle out of the line; false when it is not waiting in it. */
  unqueue(id: string): boolean {
    const queued = this.queue.findIndex((q) => q.id === id);
    if (queued < 0) return false;
    this.queue.splice(queued, 1);
    return true;
  }

  /** Settles when the running nanocycle's outcome is handled (at once when it is not running). */
  done(id: string): Promise<void> | undefined {
    return this.running.get(id);
  }

  /** Before the session ends: empties the line (returned, to be marked) and nothing new starts. */
  takeQueue(): Queued[] {
    return this.queue.splice(0);
  }

  /** The nanocycles running now; live, so one that ends while the caller awaits is skipped. */
  runningIds(): IterableIterator<string> {
    return this.running.keys();
  }

  /** One promise per running nanocycle, settled when its outcome is handled. */
  allDone(): Promise<void>[] {
    return [...this.running.values()];
  }

  private start(item: Queued): void {
    const { state, execution } = this.book;
    const nc = this.book.brief(item.id)!;
    const input: NanocycleWorkflowInput = {
      sessionId: state.sessionId,
      sessionWorkflowId: workflowInfo().workflowId,
      nanocycleId: item.id,
      name: nc.name,
      goal: item.create.goal ?? null,
      run: item.create.run ?? null,
      branch: nc.branch,
      base: state.branch,
      workspace: state.workspacePath!,
      ...(state.workspaceHost ? { workspaceHost: state.workspaceHost } : {}),
      execution,
      holdPlan: item.create.hold?.plan ?? execution.holdPolicy.plan,
    };
    nc.status = 'running';
    this.book.refreshCounts();
    const done = executeChild<typeof import('../nanocycle-workflow.js').nanocycleWorkflow>(
      'nanocycleWorkflow',
      { workflowId: this.book.childId(item.id), args: [input] },
    )
      .then(
        (outcome) => this.onOutcome(item.id, outcome),
        (error: unknown) =>
          this.onOutcome(item.id, {
            status: 'failed',
            commit: null,
            filesChanged: 0,
            executor: null,
            tpuSeconds: 0,
            detail: String((error as Error).message),
          }),
      )
      .finally(() => {
        this.running.delete(item.id);
        this.pump();
      });
    this.running.set(item.id, done);
  }

  private pump(): void {
    while (this.running.size < this.book.execution.tpuLimit && this.queue.length > 0)
      this.start(this.queue.shift()!);
  }
}
