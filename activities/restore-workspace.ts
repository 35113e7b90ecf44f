import { ApplicationFailure } from '@temporalio/common';
import { branchNameProblem } from '../contracts/git-inputs.js';
import type { Database } from '../db/database.js';
import { workspaceRepository } from '../git/repository.js';
import { runGit } from '../git/run-git.js';
import { activityLog } from './activity-log.js';
import { cloneWorkspace } from './clone-workspace.js';
import { mergeNanocycle } from './nanocycle-git.js';

export interface RestoreWorkspaceInput {
  sessionId: string;
  repository: string;
  branch: string;
  /** The session's merged nanocycles, in the order they were merged. */
  merged: { id: string; name: string; branch: string; commit: string; branchHead: string | null }[];
}

export interface RestoredWorkspace {
  path: string;
  host: string | null;
  head: string;
  /** Merged nanocycles whose work is in the restored workspace. */
  restored: string[];
  /** Merged nanocycles whose work was never pushed: gone with the lost host. */
  lost: string[];
}

/**
 * A session's workspace made again on this host, after the host that held it was lost: cloned
 * from the project's remote (which holds whatever Tevis pushed of the session branch), then each
 * merged nanocycle the clone lacks merged again from its pushed branch, if that branch still ends
 * at the nanocycle's own commit. A nanocycle whose branch was never pushed (push policy `never`),
 * was pushed over by other work, or whose merge now conflicts, is reported lost.
 */
export async function restoreWorkspace(
  deps: { home: string; host?: string; db: Database },
  input: RestoreWorkspaceInput,
): Promise<RestoredWorkspace> {
  const cloned = await cloneWorkspace(deps.home, {
    sessionId: input.sessionId,
    repository: input.repository,
    branch: input.branch,
  });
  const repo = workspaceRepository(cloned.path);
  const has = (args: string[]) =>
    runGit(args, { repo }).then(
      () => true,
      () => false,
    );
  const restored: string[] = [];
  const lost: string[] = [];
  for (const nc of input.merged) {
    if (branchNameProblem(nc.branch) || !/^[0-9a-f]{40}$/.test(nc.commit))
      throw ApplicationFailure.nonRetryable(`nanocycle ${nc.id} has no valid branch or commit`, 'validation');
    if (await has(['merge-base', '--is-ancestor', nc.commit, 'HEAD'])) {
      restored.push(nc.id);
      continue;
    }
    // Only the branch as this nanocycle left it: another session's nanocycle may have pushed a
    // branch of the same name (their numbers start at NC-001 in every session).
    const pushed = (
      await runGit(['rev-parse', '--verify', '--quiet', `refs/remotes/origin/${nc.branch}^{commit}`], {
        repo,
      }).catch(() => '')
    ).trim();
    if (!nc.branchHead || pushed !== nc.branchHead) {
      lost.push(nc.id);
      continue;
    }
    const outcome = await mergeNanocycle({
      workspace: cloned.path,
      branch: `origin/${nc.branch}`,
      message: `Merge ${nc.id}: ${nc.name}`,
    });
    (outcome.merged ? restored : lost).push(nc.id);
  }
  const head = (await runGit(['rev-parse', 'HEAD'], { repo })).trim();
  activityLog().info('workspace restored', { head, restored, lost });
  return { path: cloned.path, host: deps.host ?? null, head, restored, lost };
}
