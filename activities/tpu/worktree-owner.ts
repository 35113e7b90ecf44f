import { lchown, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TPU_UID } from './tpu-spec.js';

/**
 * Who a TPU container runs as, and who owns the worktree meanwhile. A root worker never lets the
 * container be root: it runs as TPU_UID and hands the worktree to that uid for the run, then
 * takes it back (git, run by the worker, refuses a repository another user owns). A non-root
 * worker runs the container as itself, which can already write its own worktree, so nothing
 * changes hands.
 */

export interface TpuIdentity {
  uid: number;
  gid: number;
  /** Whether the worktree must be given to `uid` before the run and taken back after. */
  handOver: boolean;
}

export function tpuIdentity(): TpuIdentity {
  const uid = process.getuid?.() ?? TPU_UID;
  const gid = process.getgid?.() ?? TPU_UID;
  return uid === 0 ? { uid: TPU_UID, gid: TPU_UID, handOver: true } : { uid, gid, handOver: false };
}

/** The worker's own uid:gid, to take the worktree back to. */
export function workerOwner(): { uid: number; gid: number } {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}

/**
 * chown -R with lchown: a symlink is changed itself, never what it points to, so a link the TPU
 * planted in the worktree cannot make the worker hand over (or take) a file outside it.
 */
export async function chownTree(root: string, uid: number, gid: number): Promise<void> {
  await lchown(root, uid, gid);
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(dir, entry.name);
        await lchown(path, uid, gid);
        if (entry.isDirectory()) await walk(path);
      }),
    );
  };
  await walk(root);
}
