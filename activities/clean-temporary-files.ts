import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { removePartialClones } from './clone-workspace.js';
import { hasWorkspaceRepository, workspaceRepository } from '../git/repository.js';
import { runGit } from '../git/run-git.js';
import { removeNanocycleWorktree } from './nanocycle-git.js';
import { isRealDirectory } from '../git/read-inside.js';

/**
 * The workspace stays; what the session kept only for itself goes: its scratch directories and
 * the nanocycles' worktrees (their branches stay in the session repository). Safe to run twice.
 */
export async function cleanTemporaryFiles(
  home: string,
  input: { sessionId: string; workspacePath: string | null },
): Promise<{ removed: string[] }> {
  const removed: string[] = [];
  const candidates = [join(home, 'tmp', input.sessionId)];
  // Only under a real `.tevis`: merged work may have made it a link, and rm would follow it.
  if (input.workspacePath && (await isRealDirectory(join(input.workspacePath, '.tevis'))))
    candidates.push(join(input.workspacePath, '.tevis', 'tmp'));
  for (const path of candidates) {
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  removed.push(...(await removeNanocycleWorktrees(home, input)));
  if (input.workspacePath) await removePartialClones(input.workspacePath);
  if (input.workspacePath && hasWorkspaceRepository(input.workspacePath)) {
    await runGit(['worktree', 'prune'], { repo: workspaceRepository(input.workspacePath) }).catch(() => '');
  }
  return { removed };
}

/**
 * `$TEVIS_HOME/worktrees/<session>/<nc>`, each removed by git (its `.git` put back first), then
 * whatever git left (a tree holding a repository of its own) by rm, which unlinks the links a
 * TPU planted and never follows them; a directory that is not a real one is not entered at all.
 */
async function removeNanocycleWorktrees(
  home: string,
  input: { sessionId: string; workspacePath: string | null },
): Promise<string[]> {
  const dir = join(resolve(home), 'worktrees', input.sessionId);
  if (!(await isRealDirectory(dir))) return [];
  const gitKnows = input.workspacePath !== null && hasWorkspaceRepository(input.workspacePath);
  const removed: string[] = [];
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry);
    if (gitKnows && (await isRealDirectory(path)))
      await removeNanocycleWorktree({ workspace: input.workspacePath!, path }).catch(() => {});
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  await rm(dir, { recursive: true, force: true });
  return removed;
}
