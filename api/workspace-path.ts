import { constants } from 'node:fs';
import { lstat, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { TevisError } from '../contracts/errors.js';

async function isSymlink(path: string): Promise<boolean> {
  return lstat(path).then(
    (info) => info.isSymbolicLink(),
    () => false,
  );
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..'));
}

/**
 * Resolves a client-supplied path inside a workspace, following symlinks, and refuses anything
 * that would land outside it. For a file that does not exist yet (a write), its nearest
 * existing parent must be inside.
 */
export async function resolveInsideWorkspace(workspace: string, requested: string): Promise<string> {
  if (requested.includes('\0') || isAbsolute(requested) || requested.split(/[\\/]/).includes('..')) {
    throw new TevisError(
      'path-outside-workspace',
      `path "${requested.replace(/\0/g, '\\0')}" must be relative to the workspace and must not contain ".."`,
    );
  }
  const root = await realpath(workspace).catch(() => {
    throw new TevisError(
      'file-not-found',
      'the session workspace does not exist; recover the session to re-clone it',
    );
  });
  const target = resolve(root, requested);
  let existing = target;
  for (;;) {
    try {
      const real = await realpath(existing);
      if (!inside(root, real))
        throw new TevisError('path-outside-workspace', `path "${requested}" leads outside the workspace`);
      return existing === target ? real : resolve(real, relative(existing, target));
    } catch (error) {
      if (error instanceof TevisError) throw error;
      // A symlink whose target does not exist (yet): writing through it would create that
      // target, wherever it points. Refused rather than followed.
      if (await isSymlink(existing))
        throw new TevisError(
          'path-outside-workspace',
          `path "${requested}" leads through a symbolic link whose target does not exist`,
        );
      if (existing === root || dirname(existing) === existing) throw error;
      existing = dirname(existing);
    }
  }
}

/**
 * Opens a path `resolveInsideWorkspace` gave, without following a link at its end, and checks
 * where the open file really is (Linux's /proc): a directory on the way that was swapped for a
 * link after the path was resolved (a merge can bring links in) cannot send the read or the
 * write out of the workspace.
 */
async function openInsideWorkspace(workspace: string, target: string, flags: number): Promise<FileHandle> {
  const outside = () =>
    new TevisError(
      'path-outside-workspace',
      `path "${relative(workspace, target)}" leads outside the workspace`,
    );
  const handle = await open(target, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ELOOP') throw outside();
      if (error.code === 'ENOENT')
        throw new TevisError('file-not-found', `no file "${relative(workspace, target)}" in the workspace`);
      throw error;
    },
  );
  const where = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
  const root = await realpath(workspace).catch(() => null);
  if (where !== null && (root === null || !inside(root, where))) {
    await handle.close();
    throw outside();
  }
  return handle;
}

/** The bytes of a regular file inside the workspace, read through no link. */
export async function readInsideWorkspace(
  workspace: string,
  target: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const handle = await openInsideWorkspace(workspace, target, constants.O_RDONLY);
  try {
    if (!(await handle.stat()).isFile())
      throw new TevisError('validation', `"${relative(workspace, target)}" is not a regular file`);
    return new Uint8Array(await handle.readFile());
  } finally {
    await handle.close();
  }
}

/** Writes a file inside the workspace through no link; it is emptied only once it is known to be inside. */
export async function writeInsideWorkspace(
  workspace: string,
  target: string,
  content: Uint8Array,
): Promise<void> {
  const handle = await openInsideWorkspace(workspace, target, constants.O_WRONLY | constants.O_CREAT);
  try {
    if (!(await handle.stat()).isFile())
      throw new TevisError('validation', `"${relative(workspace, target)}" is not a regular file`);
    await handle.truncate(0);
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}
