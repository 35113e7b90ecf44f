import { isFinalNanocycleStatus } from '../../contracts/nanocycle-statuses.js';
import { isGenuineArgument } from '../command-guard.js';
import type { AgentOptionChoice, SignalOrigin } from '../nanocycle-messages.js';
import type { HoldPoints } from './hold-points.js';
import type { NanocycleBook } from './nanocycle-book.js';
import type { TpuScheduler } from './tpu-scheduler.js';
import type { HoldPointBrief, NanocycleBrief } from './types.js';

/** What the nanocycle children tell their session: progress, and hold points they opened. */
export class ChildSignals {
  private readonly lastSignal = new Map<string, number>();

  constructor(
    private readonly book: NanocycleBook,
    private readonly scheduler: TpuScheduler,
    private readonly holds: HoldPoints,
    private readonly sealedCommands: boolean,
  ) {}

  /**
   * From the nanocycle children only: a plaintext argument (anyone's) is ignored, and so is a
   * sealed one replayed from a history (another session's, an earlier signal of the same child,
   * or one from a child that has finished).
   */
  private fromRunningChild(nanocycle: string, message: SignalOrigin): boolean {
    if (!this.sealedCommands) return true;
    if (
      !this.scheduler.isRunning(nanocycle) ||
      message.from !== this.book.childId(nanocycle) ||
      typeof message.seq !== 'number'
    )
      return false;
    if (message.seq <= (this.lastSignal.get(nanocycle) ?? 0)) return false;
    this.lastSignal.set(nanocycle, message.seq);
    return true;
  }

  progress(message: Partial<NanocycleBrief> & { id: string } & SignalOrigin): void {
    const { book } = this;
    if (!isGenuineArgument(message) || !this.fromRunningChild(message.id, message)) return;
    const { from: _from, seq: _seq, ...progress } = message;
    const nc = book.brief(progress.id);
    if (!nc || isFinalNanocycleStatus(nc.status)) return;
    Object.assign(nc, progress);
    book.refreshCounts();
    book.noteActivity();
  }

  holdOpened(message: HoldPointBrief & SignalOrigin & { options?: AgentOptionChoice[] }): void {
    if (
      !isGenuineArgument(message) ||
      !message.nanocycleId ||
      !this.fromRunningChild(message.nanocycleId, message)
    )
      return;
    const { from: _from, seq: _seq, options, ...hold } = message;
    this.holds.openedByChild(hold, options);
  }
}
