import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * Git repositories a TPU left inside a worktree (`sub/.git`, as a directory or a gitfile). Git
 * would add one as a gitlink: a commit that exists in no repository of the session, and a
 * repository of the TPU's own whose configuration git's own child processes (status of a
 * submodule) would read. Tevis commits no such tree; the nanocycle fails naming the paths.
 * Links are not followed; the worktree's own top-level `.git` is not counted.
 */
export async function findNestedRepositories(worktree: string, limit = 20): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (found.length >= limit) return;
      const path = join(dir, entry.name);
      const topLevelGit = dir === worktree && entry.name === '.git';
      if (topLevelGit) continue;
      if (entry.name.toLowerCase() === '.git') found.push(relative(worktree, path));
      else if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(worktree);
  return found.sort();
}
