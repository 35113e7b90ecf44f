import { constants, existsSync } from 'node:fs';
import { lchown, open, readdir, type FileHandle } from 'node:fs/promises';
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
 * chown -R that a TPU cannot redirect. Every directory is opened with O_NOFOLLOW and walked
 * through its open descriptor (`/proc/self/fd/<fd>/<name>`), so a directory swapped for a link
 * in the middle of the walk cannot lead it out of the tree; entries are changed with lchown, so a
 * link is changed itself, never what it points to.
 */
export async function chownTree(root: string, uid: number, gid: number): Promise<void> {
  const handle = await open(root, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    await handle.chown(uid, gid);
    if (existsSync(`/proc/self/fd/${handle.fd}`)) await chownThroughDescriptor(handle, uid, gid);
    else await chownByPath(root, uid, gid);
  } finally {
    await handle.close();
  }
}

const gone = (error: unknown) => {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
};

async function chownThroughDescriptor(dir: FileHandle, uid: number, gid: number): Promise<void> {
  const base = `/proc/self/fd/${dir.fd}`;
  const entries = await readdir(base, { withFileTypes: true });
  await Promise.all(
    entries.filter((e) => !e.isDirectory()).map((e) => lchown(join(base, e.name), uid, gid).catch(gone)),
  );
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const path = join(base, entry.name);
    // Replaced by a link (or anything but a directory) since it was listed: changed itself, not entered.
    const child = await open(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW).catch(
      () => null,
    );
    if (!child) {
      await lchown(path, uid, gid).catch(gone);
      continue;
    }
    try {
      await child.chown(uid, gid);
      await chownThroughDescriptor(child, uid, gid);
    } finally {
      await child.close();
    }
  }
}

/** Where there is no /proc: by path, with lchown; a link is never entered. */
async function chownByPath(dir: string, uid: number, gid: number): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    await lchown(path, uid, gid).catch(gone);
    if (entry.isDirectory()) await chownByPath(path, uid, gid);
  }
}
