import { ApplicationFailure } from '@temporalio/common';
import { branchNameProblem } from '../contracts/git-inputs.js';
import { SESSION_ID_PATTERN } from '../contracts/ids.js';
import type { Database } from '../db/database.js';
import { endedWorkOnBranch } from '../db/ended-work-store.js';
import { appendEvent } from '../db/timeline-store.js';
import { hasWorkspaceRepository, type GitRepository } from '../git/repository.js';
import { runGit } from '../git/run-git.js';

/**
 * The next session of a branch starts from the work merged in the sessions before it, though
 * that work never reached the remote (push policy `never` or `nanocycle-branches`): after the
 * clone of the remote's branch at R, the last ended development or planning session of the
 * project on that branch is looked at. Its final commit E is
 *
 * - already on the remote (E is R, or an ancestor of it): nothing to say;
 * - ahead of the remote (R is an ancestor of E): fetched from that session's workspace (or, when
 *   it is gone, from an earlier session's that holds E) and the new workspace fast-forwarded to
 *   it (`workspace.carried_forward`);
 * - not reachable from R because the remote moved on, or gone with its workspace: the session
 *   starts from R and `workspace.not_carried_forward` says what was not brought and how to fix it.
 *
 * The fetch reads only Tevis's own session repository (`$TEVIS_HOME/session-repos/<id>/.git`,
 * never a TPU's worktree) through the hardened git, over the local transport.
 */

export interface CarryForwardInput {
  sessionId: string;
  project: string;
  branch: string;
  /** The fresh clone, not yet renamed into place. */
  repo: GitRepository;
  /** `$TEVIS_HOME/session-repos/<id>` of a session. */
  workspaceOf: (sessionId: string) => string;
}

export type CarryForward =
  /** `workspace`: where the commit was fetched from (the session's, or an earlier one holding it). */
  | {
      carried: true;
      fromSession: string;
      commit: string;
      commits: number;
      remoteCommit: string;
      workspace: string;
    }
  | {
      carried: false;
      fromSession: string;
      commit: string;
      remoteCommit: string;
      reason: 'remote-moved-on' | 'workspace-gone';
      fix: string;
    };

/** Where the commit from the earlier workspace is fetched to, and removed from once decided. */
const CARRY_REF = 'refs/tevis/carry-forward';

const short = (sha: string) => sha.slice(0, 12);

async function isAncestor(repo: GitRepository, ancestor: string, of: string): Promise<boolean> {
  return runGit(['merge-base', '--is-ancestor', ancestor, of], { repo }).then(
    () => true,
    () => false,
  );
}

async function hasCommit(repo: GitRepository, sha: string): Promise<boolean> {
  return runGit(['cat-file', '-e', `${sha}^{commit}`], { repo }).then(
    () => true,
    () => false,
  );
}

/** Decides, moves the clone's branch when it carries, and records the event (once per session). */
export async function carryForward(db: Database, input: CarryForwardInput): Promise<CarryForward | null> {
  const branchProblem = branchNameProblem(input.branch);
  if (branchProblem)
    throw ApplicationFailure.nonRetryable(
      `refusing to carry work forward: branch name ${branchProblem}`,
      'validation',
    );
  const ended = (await endedWorkOnBranch(db, input.project, input.branch)).filter(
    (work) => work.sessionId !== input.sessionId && SESSION_ID_PATTERN.test(work.sessionId),
  );
  const earlier = ended[0];
  if (!earlier) return null;
  const { repo } = input;
  const remoteCommit = (await runGit(['rev-parse', '--verify', 'HEAD^{commit}'], { repo })).trim();
  const commit = earlier.commit;
  if (commit === remoteCommit) return null;
  if ((await hasCommit(repo, commit)) && (await isAncestor(repo, commit, remoteCommit))) return null;

  const source = input.workspaceOf(earlier.sessionId);
  // A session that carried this commit forward and changed nothing ended on it too: when the
  // last workspace is gone, an earlier one may still hold it.
  let fetchedFrom: string | null = null;
  for (const work of ended) {
    const workspace = input.workspaceOf(work.sessionId);
    if (await fetchFromWorkspace(repo, workspace, input.branch, commit)) {
      fetchedFrom = workspace;
      break;
    }
  }
  let outcome: CarryForward;
  if (fetchedFrom === null) {
    outcome = {
      carried: false,
      fromSession: earlier.sessionId,
      commit,
      remoteCommit,
      reason: 'workspace-gone',
      fix:
        `session ${earlier.sessionId} ended on ${input.branch} at ${short(commit)}, which is not on the remote, and its workspace ${source} is gone (no workspace of an earlier session holds that commit either): ` +
        `this session starts from the remote's ${input.branch} at ${short(remoteCommit)}, without that work. ` +
        `To have merged work reach the remote from now on: \`tevis project update ${input.project} --push on-merge\` (or on-end).`,
    };
  } else if (await isAncestor(repo, remoteCommit, commit)) {
    const commits =
      Number((await runGit(['rev-list', '--count', `${remoteCommit}..${commit}`], { repo })).trim()) || 0;
    await runGit(['merge', '--ff-only', '--no-edit', commit], { repo });
    outcome = {
      carried: true,
      fromSession: earlier.sessionId,
      commit,
      commits,
      remoteCommit,
      workspace: fetchedFrom,
    };
  } else {
    const commits =
      Number((await runGit(['rev-list', '--count', `${remoteCommit}..${commit}`], { repo })).trim()) || 0;
    outcome = {
      carried: false,
      fromSession: earlier.sessionId,
      commit,
      remoteCommit,
      reason: 'remote-moved-on',
      fix:
        `session ${earlier.sessionId} ended on ${input.branch} at ${short(commit)} with ${commits} commit(s) the remote does not have, and the remote's ${input.branch} has moved on since (now ${short(remoteCommit)}): ` +
        `this session starts from the remote, without that work. It is still in ${fetchedFrom}: merge the remote's ${input.branch} into it there and push it ` +
        `(\`git -C ${fetchedFrom} pull --no-rebase origin ${input.branch} && git -C ${fetchedFrom} push origin ${input.branch}\`), then start a new session. ` +
        `To have merged work reach the remote from now on: \`tevis project update ${input.project} --push on-merge\` (or on-end).`,
    };
  }
  await runGit(['update-ref', '-d', CARRY_REF], { repo }).catch(() => '');
  // One per session, however often the clone is retried.
  const key = `carry-forward:${input.sessionId}`;
  if (outcome.carried) {
    const { carried: _carried, ...data } = outcome;
    await appendEvent(db, { sessionId: input.sessionId, type: 'workspace.carried_forward', data, key });
  } else {
    const { carried: _carried, ...data } = outcome;
    await appendEvent(db, { sessionId: input.sessionId, type: 'workspace.not_carried_forward', data, key });
  }
  return outcome;
}

/** Brings `commit` from the earlier session's repository into the clone; false when it cannot. */
async function fetchFromWorkspace(
  repo: GitRepository,
  source: string,
  branch: string,
  commit: string,
): Promise<boolean> {
  if (!hasWorkspaceRepository(source)) return false;
  try {
    await runGit(
      [
        'fetch',
        '--no-tags',
        '--no-recurse-submodules',
        '--no-write-fetch-head',
        '--quiet',
        '--',
        `${source}/.git`,
        `+refs/heads/${branch}:${CARRY_REF}`,
      ],
      { repo },
    );
  } catch {
    return false;
  }
  return hasCommit(repo, commit);
}
