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

  /** Settles once every step asked for so far has (never rejects). */
  settled(): Promise<unknown> {
    return this.tail;
  }
}
