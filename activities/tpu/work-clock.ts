import type { Database } from '../../db/database.js';
import { agentHeldMs } from '../../db/hold-points-store.js';
import type { TpuRunInput } from './tpu-spec.js';

/**
 * When a TPU run's time is up. `--tpu-timeout` is for the TPU's work, not for a person: an ACP
 * agent that asks a question waits in its running TPU, and the time its hold point waited for an
 * answer is added to its deadline. That time is read from the record (db/hold-points-store.ts),
 * so a worker that re-attaches to the run later counts the same; it is asked only once the plain
 * deadline has passed, and again each time the extended one does.
 *
 * The agent can open hold points itself (a forged permission line is shown to a person like a
 * real one), so what it buys that way is bounded by the person's answer or the project's hold
 * deadline, as a real question is.
 */
export class WorkClock {
  private heldMs = 0;

  constructor(
    private readonly startedAt: number,
    private readonly timeoutSeconds: number,
    /** The time held for a person from the start to `until`; null: the run never waits on one. */
    private readonly held: ((from: number, until: number) => Promise<number>) | null,
  ) {}

  /** True once the run has used its time. A record that cannot be read is asked again next time. */
  async expired(now = Date.now()): Promise<boolean> {
    if (now < this.deadline()) return false;
    if (!this.held) return true;
    try {
      this.heldMs = await this.held(this.startedAt, now);
    } catch {
      return false;
    }
    return now >= this.deadline();
  }

  /** For a run found already ended: whether it ran past its time (a stop by the deadline). */
  async ranPast(finishedAt: number): Promise<boolean> {
    if (this.held) this.heldMs = await this.held(this.startedAt, finishedAt).catch(() => this.heldMs);
    return finishedAt >= this.deadline();
  }

  private deadline(): number {
    return this.startedAt + this.timeoutSeconds * 1000 + this.heldMs;
  }
}

/** The clock of a run started at `startedAt`: an ACP run's deadline moves with its held time. */
export function workClock(
  db: Database,
  input: Pick<TpuRunInput, 'sessionId' | 'nanocycleId' | 'timeoutSeconds' | 'acp'>,
  startedAt: number,
): WorkClock {
  const held = input.acp ? (from: number, until: number) => agentHeldMs(db, input, from, until) : null;
  return new WorkClock(startedAt, input.timeoutSeconds, held);
}
