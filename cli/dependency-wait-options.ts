import { waitBoundSeconds } from '../runtime/dependency-waits.js';
import type { WaitOptions } from '../runtime/wait-for-dependency.js';

/** How `tevis worker` and `tevis api` wait: bounded by the setting, stopped by a signal, said on stderr. */
export function dependencyWaitOptions(
  signal: AbortSignal,
  note: (line: string) => void = (line) => process.stderr.write(`tevis: ${line}\n`),
): WaitOptions {
  return { boundSeconds: waitBoundSeconds(process.env), signal, note };
}

/** What a start stopped by a signal while it waited answers: nothing is running, nothing to stop. */
export const NOTHING_STARTED = { async stop() {} };
