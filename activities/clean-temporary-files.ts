import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { removePartialClones } from './clone-workspace.js';
import { hasWorkspaceRepository, workspaceRepository } from './git-repository.js';
import { runGit } from './git.js';
import { isRealDirectory } from './read-inside.js';

/** The workspace stays; what the session kept only for itself goes. Safe to run twice. */
export async function cleanTemporaryFiles(home: string, input: { sessionId: string; workspacePath: string | null }): Promise<{ removed: string[] }> {
  const removed: string[] = [];
  const candidates = [join(home, 'tmp', input.sessionId)];
  // Only under a real `.tevis`: merged work may have made it a link, and rm would follow it.
  if (input.workspacePath && (await isRealDirectory(join(input.workspacePath, '.tevis')))) candidates.push(join(input.workspacePath, '.tevis', 'tmp'));
  for (const path of candidates) {
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  if (input.workspacePath) await removePartialClones(input.workspacePath);
  if (input.workspacePath && hasWorkspaceRepository(input.workspacePath)) {
    await runGit(['worktree', 'prune'], { repo: workspaceRepository(input.workspacePath) }).catch(() => '');
  }
  return { removed };
}
