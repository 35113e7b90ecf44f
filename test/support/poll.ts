import { setTimeout as sleep } from 'node:timers/promises';

/** Generous: only a hang should ever reach it. */
export const HANG_MS = 120_000;

/** Something that must stay up while a test waits (a child process of the split stack). */
export interface Watched {
  readonly running: boolean;
  describe(): string;
}

export interface WaitOptions {
  /** Fails after this long (a hang, not a result); HANG_MS unless set. */
  timeoutMs?: number;
  /** A fixed pause between probes; without it the pause grows from 50 ms to 500 ms. */
  intervalMs?: number;
  /** Processes that must stay up while waiting; one that exits ends the wait with its output. */
  alive?: Watched[];
}

/**
 * The one poller of the test kit: calls `probe` until it returns something other than undefined
 * or false. A probe error with `fatal: true` ends the wait at once; other errors are retried and
 * the last one is named when the wait gives up.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? HANG_MS;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    for (const p of options.alive ?? []) {
      if (!p.running) throw new Error(`while waiting for ${what}: ${p.describe()}`);
    }
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      if ((error as { fatal?: boolean } | null)?.fatal) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const alive = (options.alive ?? []).map((p) => p.describe()).join('\n');
      const last = lastError ? `; last error: ${(lastError as Error).message ?? String(lastError)}` : '';
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last}${alive ? `\n${alive}` : ''}`,
      );
    }
    await sleep(options.intervalMs ?? delay);
  }
}
