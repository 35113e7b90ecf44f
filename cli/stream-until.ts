import { abortableDelay, isFinal } from './event-stream.js';

export interface StreamUntilOptions {
  /** How often `check` runs beside the stream. */
  pollMs?: number;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Runs a follower (`stream`, which reconnects on its own) while `check` polls whether there is
 * anything more to come; once `check` returns a result the stream is stopped and the result
 * returned. Null when stopped by the signal first. A refusal from `check` (4xx) or an error the
 * stream ends with is thrown; while the API is away `check` keeps trying.
 */
export async function streamUntil<R>(
  stream: (signal: AbortSignal) => Promise<void>,
  check: () => Promise<R | undefined>,
  options: StreamUntilOptions = {},
): Promise<R | null> {
  const sleep = options.sleep ?? abortableDelay;
  const streaming = new AbortController();
  const stopStreaming = () => streaming.abort();
  options.signal?.addEventListener('abort', stopStreaming, { once: true });
  let result: R | undefined;
  let failure: unknown = null;

  const watch = async () => {
    while (!streaming.signal.aborted) {
      try {
        result = await check();
        if (result !== undefined) {
          streaming.abort();
          return;
        }
      } catch (error) {
        if (isFinal(error)) {
          failure = error;
          streaming.abort();
          return;
        }
      }
      await sleep(options.pollMs ?? 2000, streaming.signal);
    }
  };

  const following = stream(streaming.signal).catch((error: unknown) => {
    failure ??= error;
    streaming.abort();
  });

  try {
    await Promise.all([watch(), following]);
  } finally {
    options.signal?.removeEventListener('abort', stopStreaming);
  }
  if (failure) throw failure;
  if (result === undefined || options.signal?.aborted) return null;
  return result;
}
