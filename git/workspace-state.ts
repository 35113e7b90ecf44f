import { existsSync } from 'node:fs';
import type { WorkspaceState } from '../contracts/session-state.js';
import { hasWorkspaceRepository, workspaceRepository } from './repository.js';
import { runGit } from './run-git.js';

/** git status, last commit and modified files of a workspace; `missing` when it is gone. */
export async function readWorkspaceState(path: string): Promise<WorkspaceState> {
  if (!existsSync(path) || !hasWorkspaceRepository(path)) {
    return {
      path,
      exists: existsSync(path),
      gitStatus: 'missing',
      branch: null,
      lastCommit: null,
      modifiedFiles: [],
    };
  }
  const repo = workspaceRepository(path);
  const [status, log, branch] = await Promise.all([
    runGit(['status', '--porcelain=v1', '-z', '--untracked-files=all'], { repo }),
    runGit(['log', '-1', '--format=%H%x00%s%x00%an%x00%aI'], { repo }).catch(() => ''),
    runGit(['rev-parse', '--abbrev-ref', 'HEAD'], { repo }).catch(() => ''),
  ]);
  const modifiedFiles: string[] = [];
  const entries = status.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.length < 4) continue;
    modifiedFiles.push(entry.slice(3));
    // A rename's entry is followed by its old path, which is not a file in the tree any more.
    if (entry[0] === 'R' || entry[0] === 'C') i++;
  }
  const [sha, subject, author, at] = log.trim().split('\0');
  return {
    path,
    exists: true,
    gitStatus: modifiedFiles.length ? 'dirty' : 'clean',
    branch: branch.trim() || null,
    lastCommit: sha ? { sha, subject: subject ?? '', author: author ?? '', at: at ?? '' } : null,
    modifiedFiles,
  };
}
