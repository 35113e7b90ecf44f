import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/** True for a regular file (after following links) that this process may execute. */
export async function isExecutable(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every executable called `name` on PATH, in PATH order. Searched here rather than with `which`,
 * which is not installed on every image. Relative and empty entries are skipped: they would make
 * the answer depend on the current directory.
 */
export async function findAllOnPath(name: string, pathVar: string | undefined): Promise<string[]> {
  const found: string[] = [];
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) found.push(candidate);
  }
  return found;
}
