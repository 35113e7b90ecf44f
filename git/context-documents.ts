import { constants } from 'node:fs';
import { lstat, mkdir, open, readlink, realpath, unlink, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { CONTEXT_DIR, contextPathProblem } from '../contracts/context-documents.js';
import { TevisError } from '../contracts/errors.js';

/**
 * The context documents of a session workspace (`.tevis/<path>`), read and written through no
 * link: the repository, or work merged into it, may have planted `.tevis -> /somewhere` or a
 * `.tevis/notes.md` pointing at a host file. A link anywhere on the way is refused, nothing is
 * created or changed, and the refusal says so.
 */

/** The largest document read back: a repository may hold anything under `.tevis/`. */
const MAX_READ_BYTES = 5 * 1024 * 1024;

/** What the file system says about a path no check above foresaw, as the request's mistake rather than a crash. */
function refusedByFileSystem(error: NodeJS.ErrnoException, path: string): Error {
  if (error.code === 'ENAMETOOLONG' || error.code === 'ENOTDIR' || error.code === 'EISDIR') {
    return new TevisError('validation', `${CONTEXT_DIR}/${path} cannot be a document here (${error.code})`);
  }
  return error;
}

function refuseLink(path: string): TevisError {
  return new TevisError(
    'path-outside-workspace',
    `${path} is a symbolic link in the repository; context documents are never read or written through links (replace it with a plain file or folder in git)`,
  );
}

/** Checks the path's words, then every folder on the way; `create` makes missing folders (none are links). */
async function contextTarget(
  workspace: string,
  path: string,
  create: boolean,
): Promise<{ root: string; target: string }> {
  const problem = contextPathProblem(path);
  if (problem) throw new TevisError(problem.type, problem.message);
  const root = await realpath(workspace).catch(() => {
    throw new TevisError(
      'file-not-found',
      'the session workspace does not exist; recover the session to re-clone it',
    );
  });
  const parts = [CONTEXT_DIR, ...path.split('/')];
  for (let i = 1; i < parts.length; i++) {
    const shown = parts.slice(0, i).join('/');
    const dir = join(root, ...parts.slice(0, i));
    let info = await lstat(dir).catch(() => null);
    if (!info && create) {
      await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw refusedByFileSystem(error, path);
      });
      info = await lstat(dir).catch(() => null);
    }
    if (!info)
      throw new TevisError(
        'file-not-found',
        `no context document ${CONTEXT_DIR}/${path} (no folder ${shown})`,
      );
    if (info.isSymbolicLink()) throw refuseLink(shown);
    if (!info.isDirectory()) throw new TevisError('validation', `${shown} is a file, not a folder`);
  }
  const target = join(root, ...parts);
  const info = await lstat(target).catch(() => null);
  if (info?.isSymbolicLink()) throw refuseLink(parts.join('/'));
  if (info && !info.isFile()) throw new TevisError('validation', `${parts.join('/')} is not a regular file`);
  return { root, target };
}

/** Opens without following a link at the end, and checks where the open file really is (a folder swapped for a link meanwhile). */
async function openInside(root: string, target: string, path: string, flags: number): Promise<FileHandle> {
  const handle = await open(target, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ELOOP') throw refuseLink(`${CONTEXT_DIR}/${path}`);
      if (error.code === 'ENOENT')
        throw new TevisError('file-not-found', `no context document ${CONTEXT_DIR}/${path}`);
      throw refusedByFileSystem(error, path);
    },
  );
  const where = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
  if (where !== null && !where.startsWith(join(root, CONTEXT_DIR) + sep)) {
    await handle.close();
    throw refuseLink(`${CONTEXT_DIR}/${path}`);
  }
  return handle;
}

export async function readContextDocument(
  workspace: string,
  path: string,
): Promise<{ path: string; content: string; bytes: number }> {
  const { root, target } = await contextTarget(workspace, path, false);
  const handle = await openInside(root, target, path, constants.O_RDONLY);
  try {
    const { size } = await handle.stat();
    if (size > MAX_READ_BYTES)
      throw new TevisError(
        'payload-too-large',
        `${CONTEXT_DIR}/${path} is ${size} bytes; documents are read up to ${MAX_READ_BYTES}`,
      );
    const bytes = await handle.readFile();
    return { path, content: bytes.toString('utf8'), bytes: bytes.length };
  } finally {
    await handle.close();
  }
}

/** Writes the document, making the folders it needs. */
export async function writeContextDocument(workspace: string, path: string, content: string): Promise<void> {
  const { root, target } = await contextTarget(workspace, path, true);
  const handle = await openInside(root, target, path, constants.O_WRONLY | constants.O_CREAT);
  try {
    await handle.truncate(0);
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
}

/** Removes the document; false when there was none. */
export async function deleteContextDocument(workspace: string, path: string): Promise<boolean> {
  const { target } = await contextTarget(workspace, path, false).catch((error: unknown) => {
    if (error instanceof TevisError && error.type === 'file-not-found') return { target: null };
    throw error;
  });
  if (!target) return false;
  // unlink never follows a link, and contextTarget refused one already.
  return unlink(target).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
}
