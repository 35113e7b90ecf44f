import { constants } from 'node:fs';
import { lstat, open, readlink, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';

/**
 * Reading a file a repository or a TPU put in a tree, without following a link out of it: a
 * worktree is written by untrusted code, and a workspace holds whatever was merged from one. A
 * planted `.tevis -> /root/.tevis-runtime` or `.tevis/hold.json -> api-token` must read as
 * nothing, never as the file it points at.
 */

/** Whether `path` is a directory itself, not a link to one. */
export async function isRealDirectory(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => null))?.isDirectory() ?? false;
}

/** Where an open descriptor really is, when the system says (Linux's /proc); null elsewhere. */
async function openedPath(fd: number): Promise<string | null> {
  return readlink(`/proc/self/fd/${fd}`).catch(() => null);
}

/**
 * The text of `relative` (slash-separated) under `root`, or null when it is missing, is a link,
 * lies under a link, is not a regular file or is bigger than `maxBytes`.
 */
export async function readFileInside(
  root: string,
  relative: string,
  maxBytes: number,
): Promise<string | null> {
  const parts = relative.split('/').filter(Boolean);
  if (parts.length === 0 || parts.includes('..')) return null;
  const realRoot = await realpath(root).catch(() => null);
  if (!realRoot) return null;
  for (let i = 1; i < parts.length; i++) {
    if (!(await isRealDirectory(join(realRoot, ...parts.slice(0, i))))) return null;
  }
  // O_NOFOLLOW: the file itself may not be a link; O_NONBLOCK: a FIFO must not hang the worker.
  const handle = await open(
    join(realRoot, ...parts),
    constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
  ).catch(() => null);
  if (!handle) return null;
  try {
    // A directory on the way swapped for a link after it was checked: the open file says where it is.
    const where = await openedPath(handle.fd);
    if (where !== null && !where.startsWith(realRoot + sep)) return null;
    const info = await handle.stat();
    if (!info.isFile() || info.size > maxBytes) return null;
    const buffer = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(buffer, 0, info.size, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
