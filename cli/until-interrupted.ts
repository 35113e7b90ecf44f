/**
 * Runs `work` with a signal that Ctrl-C (SIGINT) or SIGTERM aborts, so a follower stops cleanly
 * instead of the process dying mid-line; the handlers go when it is done.
 */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await work(stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
