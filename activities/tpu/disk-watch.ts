import { execFile } from 'node:child_process';
import { DEFAULT_DISK_MB } from '../../contracts/execution-settings.js';
import type { TpuLimits } from './tpu-spec.js';

/**
 * A TPU's disk limit has two halves, because neither engine offers a per-directory quota without
 * a special filesystem (XFS project quotas, a loop device per run):
 *
 * - RLIMIT_FSIZE (Docker's `fsize` ulimit, `prlimit --fsize` around the sandbox) at the limit: no
 *   single file grows past it; the writer gets SIGXFSZ (exit 153) or EFBIG.
 * - this watch: every CHECK_MS it measures the blocks the TPU's writable paths hold (`du`, the
 *   disk really used, so sparse files count as what they take) and stops the TPU once that is
 *   over the limit.
 *
 * So the real bound is the limit plus what the TPU writes in one check interval plus one `du` of
 * its tree (a fast writer can overshoot by a few hundred MB per second of that), and a run that
 * stays under the limit is never measured as over it. Inodes are not counted: a tree of millions
 * of empty files is bounded only by the run's timeout.
 */

export const CHECK_MS = 1000;

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
  /** Bytes measured when the limit was found exceeded; null while it was not. */
  readonly exceededAt: number | null;
  stop(): void;
}

/** Calls `onExceeded` once, the first time the paths hold more than `limitBytes`. */
export function watchDiskUse(paths: string[], limitBytes: number, onExceeded: (usedBytes: number) => void): DiskWatch {
  let exceededAt: number | null = null;
  let measuring = false;
  const timer = setInterval(() => {
    if (measuring || exceededAt !== null) return;
    measuring = true;
    diskUsed(paths)
      .then((used) => {
        if (used > limitBytes && exceededAt === null) {
          exceededAt = used;
          onExceeded(used);
        }
      })
      // A failed measurement is retried at the next tick; the fsize limit still holds meanwhile.
      .catch(() => {})
      .finally(() => (measuring = false));
  }, CHECK_MS);
  return {
    get exceededAt() {
      return exceededAt;
    },
    stop: () => clearInterval(timer),
  };
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
