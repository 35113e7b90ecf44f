import { lstat, realpath } from 'node:fs/promises';
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
    throw new TevisError('path-outside-workspace', `path "${requested.replace(/\0/g, '\\0')}" must be relative to the workspace and must not contain ".."`);
  }
  const root = await realpath(workspace).catch(() => {
    throw new TevisError('file-not-found', 'the session workspace does not exist; recover the session to re-clone it');
  });
  const target = resolve(root, requested);
  let existing = target;
  for (;;) {
    try {
      const real = await realpath(existing);
      if (!inside(root, real)) throw new TevisError('path-outside-workspace', `path "${requested}" leads outside the workspace`);
      return existing === target ? real : resolve(real, relative(existing, target));
    } catch (error) {
      if (error instanceof TevisError) throw error;
      // A symlink whose target does not exist (yet): writing through it would create that
      // target, wherever it points. Refused rather than followed.
      if (await isSymlink(existing)) throw new TevisError('path-outside-workspace', `path "${requested}" leads through a symbolic link whose target does not exist`);
      if (existing === root || dirname(existing) === existing) throw error;
      existing = dirname(existing);
    }
  }
}
