import { execFile } from 'node:child_process';
import { DEFAULT_DISK_MB } from '../../contracts/execution-settings.js';
import type { TpuLimits } from './tpu-spec.js';

/**
 * A TPU's disk limit has two halves, because neither engine offers a per-directory quota without
 * a special filesystem (XFS project quotas, a loop device per run):
 *
 * - RLIMIT_FSIZE (Docker's `fsize` ulimit, `prlimit --fsize` around the sandbox) at the limit: no
 *   single file grows past it; the writer gets SIGXFSZ (exit 153) or EFBIG.
 * - this watch: every CHECK_MS (longer for a tree that takes long to measure) it measures the
 *   blocks the TPU's writable paths hold (`du`, the disk really used, so sparse files count as
 *   what they take) against what they held when the run started, and stops the TPU once it has
 *   added more than the limit; and once more after the run, so a run that ends over the limit
 *   fails even if it ended between two checks.
 *
 * So the real bound on the disk is the limit plus what the TPU writes in one check interval (1 s,
 * or three times one `du` of its tree if that is longer) plus one `du` (a fast writer can
 * overshoot by a few hundred MB per second of that); the run fails whenever it ended over the
 * limit. Inodes are not counted: a tree of millions of empty
 * files is bounded only by the run's timeout.
 */

const CHECK_MS = 1000;

/** Exit status of a process killed by SIGXFSZ (128 + 25): a file reached RLIMIT_FSIZE. */
export const FILE_SIZE_LIMIT_EXIT = 153;

export function diskLimitMb(limits: TpuLimits): number {
  return limits.diskMb ?? DEFAULT_DISK_MB;
}

export function diskLimitBytes(limits: TpuLimits): number {
  return diskLimitMb(limits) * 1024 * 1024;
}

/** Blocks in use under `paths` in bytes, not crossing into other filesystems (a mount the TPU made is not the host's disk). */
export function diskUsed(paths: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('du', ['-s', '-x', '-c', '-B1', ...paths], { maxBuffer: 1 << 20 }, (error, stdout) => {
      // du exits 1 when a file vanished while it walked (the TPU deletes as it writes): the total still counts.
      const total = /(\d+)\s+total\s*$/.exec(stdout);
      if (total) resolve(Number(total[1]));
      else reject(error ?? new Error(`du printed no total: ${stdout.slice(-200)}`));
    });
  });
}

export interface DiskWatch {
  /** Bytes written past the start when the limit was found exceeded; null while it was not. */
  readonly exceededBy: number | null;
  /** Measures once more (after the run: a fast writer may have finished between two checks). */
  finalCheck(): Promise<number | null>;
  stop(): void;
}

/**
 * Counts what the TPU adds to `paths` from now on (the checked-out repository is not its doing)
 * and calls `onExceeded` once, the first time that is more than `limitBytes`. An attempt that
 * re-attaches to a running container starts counting when it attaches: what the container wrote
 * before is then its baseline, so the bound after a worker crash is per attempt.
 */
export async function watchDiskUse(
  paths: string[],
  limitBytes: number,
  onExceeded: (addedBytes: number) => void,
): Promise<DiskWatch> {
  const baseline = await diskUsed(paths).catch(() => 0);
  let exceededBy: number | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const measure = async (): Promise<void> => {
    const added = (await diskUsed(paths)) - baseline;
    if (added > limitBytes && exceededBy === null) {
      exceededBy = added;
      onExceeded(added);
    }
  };
  // The next check waits CHECK_MS, or three times as long as the last `du` took: a huge tree
  // (node_modules) must not keep a core busy measuring it.
  const schedule = (delay: number) => {
    if (stopped || exceededBy !== null) return;
    timer = setTimeout(() => {
      const began = performance.now();
      // A failed measurement is retried at the next check; the fsize limit still holds meanwhile.
      measure()
        .catch(() => {})
        .finally(() => schedule(Math.max(CHECK_MS, 3 * (performance.now() - began))));
    }, delay);
  };
  schedule(CHECK_MS);
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
  };
  return {
    get exceededBy() {
      return exceededBy;
    },
    async finalCheck() {
      stop();
      if (exceededBy === null) await measure().catch(() => {});
      return exceededBy;
    },
    stop,
  };
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
