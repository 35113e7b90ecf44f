/**
 * How the long-running commands (`up`, `worker`, `api`) live and die: run until SIGINT, SIGHUP or
 * SIGTERM, then stop cleanly so the next start finds every session where it was. A second
 * Ctrl-C means "now": exit without waiting for a stop that hangs.
 */
export interface Stoppable {
  stop(): Promise<void>;
}

export interface ServeHooks<T extends Stoppable> {
  onStarted(handle: T): void;
  note(text: string): void;
  /** Injected by tests; the real one ends the process. */
  forceExit?: (code: number) => never;
}

// SIGHUP: the terminal closed. Left to its default, it would end the process without stopping
// what it started.
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `starting` may be a function of a signal that the first SIGINT/SIGTERM aborts: a start that
 * waits for its services (runtime/wait-for-dependency.ts) stops waiting then, and answers a
 * handle with nothing to stop.
 */
export async function serveUntilSignal<T extends Stoppable>(
  starting: Promise<T> | ((signal: AbortSignal) => Promise<T>),
  hooks: ServeHooks<T>,
): Promise<void> {
  const forceExit = hooks.forceExit ?? ((code: number) => process.exit(code));
  let signals = 0;
  let stopRequested!: () => void;
  const stopSignal = new Promise<void>((resolve) => (stopRequested = resolve));
  const interrupted = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      hooks.note(`${name}: stopping… (Ctrl-C again to force)`);
      stopRequested();
      interrupted.abort();
    } else {
      hooks.note('forced exit; state is kept, but the next start may have to catch up');
      forceExit(130);
    }
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  try {
    // A signal while starting is kept: the start cannot be cut short, so it is stopped right after.
    const handle = await (typeof starting === 'function' ? starting(interrupted.signal) : starting);
    if (signals === 0) hooks.onStarted(handle);
    await stopSignal;
    await handle.stop();
    hooks.note('stopped');
  } finally {
    for (const name of SIGNALS) process.off(name, onSignal);
  }
}
