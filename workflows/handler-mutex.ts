/**
 * Runs the steps of message handlers one at a time, in the order they were asked for: Updates
 * interleave at every await, and a step that reads the state, awaits an activity and writes the
 * state must not see another step's half-done work (the shape of Temporal's safe-message-handlers
 * sample, which uses a mutex the same way).
 *
 * A promise chain rather than a library mutex, on purpose: in which microtask a step starts
 * decides the order of commands when two handlers wake in one activation, and the histories of
 * running sessions were recorded with exactly this chain (see test/workflows/histories). So a
 * step starts one microtask after the one before it settled, or after it was asked for when the
 * mutex is free; `releaseInChain` keeps the merge queue's chain, which released inside it.
 */
export class HandlerMutex {
  private tail: Promise<unknown> = Promise.resolve();
  private held = 0;

  constructor(private readonly options: { releaseInChain?: boolean } = {}) {}

  /** Steps asked for and not yet settled: the one running and those waiting behind it. */
  get pending(): number {
    return this.held;
  }

  /** Whether a step is running or waiting: for validators that refuse rather than queue. */
  get locked(): boolean {
    return this.held > 0;
  }

  /** Runs `step` after every step asked for before it. */
  runExclusive<T>(step: () => Promise<T>): Promise<T> {
    this.held++;
    const release = () => {
      this.held--;
    };
    const next = this.tail.then(step);
    const settled = next.catch(() => undefined);
    if (this.options.releaseInChain) this.tail = settled.finally(release);
    else {
      this.tail = settled;
      void settled.then(release);
    }
    return next;
  }

  /**
   * Runs `step` at once, for handlers whose validator refuses while the mutex is `locked` (one
   * review decision at a time): nothing waits, so the step starts in the handler's own microtask,
   * as the review's decisions always did.
   */
  runNow<T>(step: () => Promise<T>): Promise<T> {
    if (this.held > 0) throw new Error('runNow while locked: the validator should have refused this');
    this.held++;
    const running = step();
    const answer = running.finally(() => {
      this.held--;
    });
    this.tail = running.catch(() => undefined);
    return answer;
  }

  /** Settles once every step asked for so far has (never rejects). */
  settled(): Promise<unknown> {
    return this.tail;
  }
}
