import { activityLog } from './activity-log.js';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { branchNameProblem, repositoryUrlProblem } from '../contracts/git-inputs.js';
import type { LoadedContext } from '../contracts/session-state.js';
import type { Database } from '../db/database.js';
import { carryForward, type CarryForward } from './carry-forward.js';
import { hasWorkspaceRepository, workspaceRepository } from '../git/repository.js';
import { GitError, runGit } from '../git/run-git.js';

export interface CloneWorkspaceInput {
  sessionId: string;
  repository: string;
  branch: string;
  /**
   * A new session's first clone: start from the work an earlier session of this project and
   * branch merged but never pushed (see carry-forward.ts). Absent when a workspace is cloned
   * again (recover, restore) and in histories from before.
   */
  carryForwardFrom?: { project: string };
  /**
   * Load the session's context from the fresh workspace in the same step (a new session on worker
   * hosts): the context is read where the files are, not by whichever worker runs the workflow.
   */
  loadContext?: { project: string };
}

export interface ClonedWorkspace {
  path: string;
  /** Where the workspace starts: the remote's head, or the commit carried forward. */
  startCommit: string;
  /** False when a workspace from an earlier attempt was already complete and was kept. */
  cloned: boolean;
  /** What was (or was not) carried forward from an earlier session; on the timeline already. */
  carryForward?: CarryForward | null;
  /** The worker host that holds it (its workspace activities' task queue); absent before hosts. */
  host?: string;
  /** The session's context, when the input asked for it. */
  context?: LoadedContext;
}

export function workspacePath(home: string, sessionId: string): string {
  return join(home, 'session-repos', sessionId);
}

/** Half-made clones of earlier attempts (`<id>.partial-<attempt>`) next to the workspace. */
export async function removePartialClones(path: string): Promise<void> {
  const prefix = `${basename(path)}.partial`;
  for (const entry of await readdir(dirname(path)).catch(() => [] as string[])) {
    if (entry.startsWith(prefix)) await rm(join(dirname(path), entry), { recursive: true, force: true });
  }
}

/** Failures a retry cannot fix: the user has to change the project or the branch. */
const PERMANENT_GIT_FAILURES = [
  /Remote branch .* not found/i,
  /does not appear to be a git repository/i,
  /Repository not found/i,
  /not found in upstream/i,
  /repository '.*' does not exist/i,
];

/**
 * Clones the project into `$TEVIS_HOME/session-repos/<session id>`. A retry after a crash finds
 * either a finished workspace (kept) or nothing (clones again): the clone goes to a temporary
 * directory and is renamed into place only when complete.
 */
export async function cloneWorkspace(
  home: string,
  input: CloneWorkspaceInput,
  db?: Database,
): Promise<ClonedWorkspace> {
  const urlProblem = repositoryUrlProblem(input.repository);
  const branchProblem = branchNameProblem(input.branch);
  if (urlProblem || branchProblem) {
    throw ApplicationFailure.nonRetryable(
      `refusing to clone: ${urlProblem ? `repository URL ${urlProblem}` : `branch name ${branchProblem}`}`,
      'validation',
    );
  }
  const path = workspacePath(home, input.sessionId);
  if (existsSync(path) && hasWorkspaceRepository(path)) {
    const startCommit = (await runGit(['rev-parse', 'HEAD'], { repo: workspaceRepository(path) })).trim();
    return { path, startCommit, cloned: false };
  }
  await rm(path, { recursive: true, force: true });
  await mkdir(join(home, 'session-repos'), { recursive: true });
  await removePartialClones(path);
  // Each attempt clones into its own directory: a git left running by a worker that was killed
  // can never write into the clone of the attempt that replaced it.
  const partial = `${path}.partial-${Context.current().info.attempt}`;

  const heartbeat = setInterval(() => Context.current().heartbeat({ phase: 'cloning' }), 2000);
  let lastProgress = '';
  try {
    await runGit(
      [
        'clone',
        '--progress',
        '--origin',
        'origin',
        '--branch',
        input.branch,
        '--',
        input.repository,
        partial,
      ],
      {
        remote: true,
        // A clone is safe to start again (each attempt has its own directory): a worker that is
        // stopped cuts it short and hands the start to another worker, instead of waiting for it.
        signal: Context.current().cancellationSignal,
        onStderr: (chunk) => {
          const match = /(Receiving objects|Resolving deltas):\s+(\d+)%/.exec(chunk);
          if (match && match[0] !== lastProgress) {
            lastProgress = match[0];
            Context.current().heartbeat({ phase: 'cloning', progress: match[0] });
          }
        },
      },
    );
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    if (error instanceof GitError && PERMANENT_GIT_FAILURES.some((re) => re.test(error.stderr))) {
      throw ApplicationFailure.nonRetryable(error.message, 'clone-failed');
    }
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
  // Before the rename: a workspace in place is one that is finished, carried forward or not.
  let carried: CarryForward | null = null;
  if (input.carryForwardFrom && db) {
    const beat = setInterval(() => Context.current().heartbeat({ phase: 'carrying forward' }), 2000);
    try {
      carried = await carryForward(db, {
        sessionId: input.sessionId,
        project: input.carryForwardFrom.project,
        branch: input.branch,
        repo: workspaceRepository(partial),
        workspaceOf: (sessionId) => workspacePath(home, sessionId),
      });
    } finally {
      clearInterval(beat);
    }
  }
  await rename(partial, path);
  const startCommit = (await runGit(['rev-parse', 'HEAD'], { repo: workspaceRepository(path) })).trim();
  // The branch and commit, never the repository URL: it may carry a credential.
  activityLog().info('workspace cloned', {
    branch: input.branch,
    startCommit,
    carriedForward: Boolean(carried),
  });
  return { path, startCommit, cloned: true, carryForward: carried };
}
