import { setTimeout as sleepFor } from 'node:timers/promises';

/**
 * A process that starts before its services (a compose file, a host reboot) waits for each of
 * them instead of exiting: it tries, says on stderr what it waits for, why and when it tries
 * next, and tries again after a capped, jittered, growing gap. Errors that waiting cannot fix
 * (a wrong password, a malformed setting) end the wait at once.
 */

export interface Dependency {
  /** What it is, as people call it: `Postgres`, `Temporal`, `the container engine`. */
  name: string;
  /** Where, without secrets: `127.0.0.1:5432`. */
  where: string;
  /** The fix of an error that waiting cannot cure, or null when the error means "not ready yet". */
  configurationError(error: unknown): string | null;
  /** Never printed: cut out of any message that would carry it (pg never does; a driver might). */
  secret?: string;
}

export interface WaitOptions {
  /** Seconds to keep trying; undefined waits forever, 0 tries once. */
  boundSeconds: number | undefined;
  signal: AbortSignal;
  note(line: string): void;
  /** Injected by tests, so the schedule is checked without waiting. */
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

export const FIRST_GAP_MS = 1000;
export const LONGEST_GAP_MS = 30_000;

/**
 * The gap before try `attempt + 2` (attempt counts from 0): half of a doubling step plus a random
 * part of the other half ("equal jitter"), so processes started together spread out, then capped.
 * A gap is never shorter than the one before, whatever the draws.
 */
export function backoffGapMs(attempt: number, random: () => number = Math.random): number {
  const step = FIRST_GAP_MS * 2 ** Math.min(attempt, 20);
  return Math.min(LONGEST_GAP_MS, Math.round(step / 2 + (step / 2) * random()));
}

/** Said when a signal ends the wait; the command stops as it does after any signal. */
export class WaitAborted extends Error {
  constructor(dependency: Dependency) {
    super(`stopped while waiting for ${dependency.name}`);
    this.name = 'WaitAborted';
  }
}

/** Failed for good: the bound was reached, or the error is one waiting cannot fix. */
export class DependencyUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DependencyUnavailable';
  }
}

export function reasonOf(error: unknown, secret?: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return secret ? message.split(secret).join('***') : message;
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  sleepFor(ms, undefined, { signal }).catch(() => undefined);

/** Runs `attempt` until it succeeds, a configuration error, the bound, or the signal. */
export async function waitForDependency<T>(
  dependency: Dependency,
  attempt: () => Promise<T>,
  options: WaitOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const { signal } = options;
  const at = `${dependency.name} at ${dependency.where}`;
  const deadline = options.boundSeconds === undefined ? Infinity : now() + options.boundSeconds * 1000;
  for (let tries = 0; ; tries++) {
    if (signal.aborted) throw new WaitAborted(dependency);
    try {
      const value = await abortable(attempt(), signal, dependency);
      if (tries > 0) options.note(`${dependency.name} is up`);
      return value;
    } catch (error) {
      if (error instanceof WaitAborted) throw error;
      const fix = dependency.configurationError(error);
      if (fix !== null)
        throw new DependencyUnavailable(`${at}: ${reasonOf(error, dependency.secret)}; ${fix}`);
      const remaining = deadline - now();
      if (remaining <= 0) {
        const waited = options.boundSeconds ? ` after waiting ${options.boundSeconds} s` : '';
        throw new DependencyUnavailable(
          `${at} is unreachable${waited} (${reasonOf(error, dependency.secret)}); TEVIS_WAIT_FOR_DEPENDENCIES_SECONDS bounds the wait`,
        );
      }
      // The last gap ends at the bound, so the last try is made when the bound is reached.
      const gap = Math.min(backoffGapMs(tries, random), remaining);
      options.note(
        `waiting for ${at} (${reasonOf(error, dependency.secret)}); next try in ${Math.round(gap / 1000)} s`,
      );
      await sleep(gap, signal);
    }
  }
}

/** An attempt in flight does not hold a stop back; what it leaves behind goes with the process. */
function abortable<T>(work: Promise<T>, signal: AbortSignal, dependency: Dependency): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new WaitAborted(dependency));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
