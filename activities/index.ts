import type { Database } from '../db/database.js';
import { checkContainerEngine, checkDatabase, type ServiceCheck } from '../runtime/service-checks.js';
import { cleanTemporaryFiles } from './clean-temporary-files.js';
import { cloneWorkspace, type CloneWorkspaceInput } from './clone-workspace.js';
import { restoreWorkspace, type RestoreWorkspaceInput } from './restore-workspace.js';
import { confirmSessionStart } from './confirm-session-start.js';
import { generateSessionSummary, type GenerateSummaryInput } from './generate-summary.js';
import { loadSessionContext, type LoadContextInput } from './load-context.js';
import { recordTransition, type RecordTransitionInput } from './record-transition.js';
import { recordTransitions, type RecordTransitionsInput } from './record-transitions.js';
import { chooseTpuExecutor } from './tpu/choose-executor.js';
import { runTpu } from './tpu/run-tpu.js';
import type { TpuExecutor } from './tpu/tpu-executor.js';
import type { TpuRunInput } from './tpu/tpu-spec.js';
import { readAgentHoldRequest } from './agent-hold-request.js';
import { nextAgentPermission, type NextAgentPermissionInput } from './next-agent-permission.js';
import { type RunStdinLine, type RunStdinTarget, stdinText } from './tpu/run-stdin.js';
import { pushNanocycleBranch, type PushNanocycleBranchInput } from './push-nanocycle-branch.js';
import { pushSessionBranch } from './push-session-branch.js';
import { mergeReviewBranch } from './review-git.js';
import { commitContextEdit, type CommitContextEditInput } from './commit-context-edit.js';
import {
  commitNanocycle,
  createNanocycleWorktree,
  mergeNanocycle,
  workspaceOfWorktree,
  worktreePath,
} from './nanocycle-git.js';
import {
  recordHoldPointOpened,
  recordHoldPointResolved,
  recordNanocycle,
  type OpenHoldPointInput,
  type ResolveHoldPointInput,
} from './nanocycle-records.js';
import type { NanocycleWrite } from '../db/nanocycles-store.js';
import type { UncheckedTimelineEvent } from '../contracts/timeline.js';
import { loadConfig } from '../runtime/config.js';
import { failFastOnDataError } from './unrecordable.js';
import { heartbeatWhile } from './heartbeat-while.js';

export interface ActivityDeps {
  db: Database;
  dbKind: string;
  /** `$TEVIS_HOME`: workspaces live under it. */
  home: string;
  /**
   * Where this worker runs TPUs, chosen once at its start (see activities/tpu/choose-executor.ts).
   * Absent: the one TEVIS_TPU_EXECUTOR / DOCKER_HOST of this process's environment name.
   */
  tpu?: TpuExecutor;
  /** This worker's host (TEVIS_WORKER_HOST): what holds the workspaces it clones. Absent: no hosts. */
  host?: string;
}

/** The executor the deps name, or the one this process's configuration names. */
export function tpuExecutorOf(deps: ActivityDeps): TpuExecutor {
  if (deps.tpu) return deps.tpu;
  const config = loadConfig();
  return chooseTpuExecutor(config.tpuExecutor, config.dockerHost, deps.db);
}

/**
 * The session workflow's activities, bound to this worker's database and home. Names say what
 * each does, because they are what the Temporal Web UI shows.
 */
export function createSessionActivities(deps: ActivityDeps) {
  const tpu = tpuExecutorOf(deps);
  return {
    // Record writes fail at once, for good, when the database refuses their data (see unrecordable.ts).
    recordTransition: (input: RecordTransitionInput) =>
      failFastOnDataError(() => recordTransition(deps.db, input)),
    recordTransitions: (input: RecordTransitionsInput) =>
      failFastOnDataError(() => recordTransitions(deps.db, input)),
    confirmSessionStart: (input: { sessionId: string; phase: 'start' | 'recover' }) =>
      confirmSessionStart(deps.db, input),
    cloneWorkspace: async (input: CloneWorkspaceInput) => {
      const cloned = await cloneWorkspace(deps.home, input, deps.db);
      const context = input.loadContext
        ? await loadSessionContext(deps.db, {
            sessionId: input.sessionId,
            project: input.loadContext.project,
            workspacePath: cloned.path,
          })
        : undefined;
      return { ...cloned, ...(deps.host ? { host: deps.host } : {}), ...(context ? { context } : {}) };
    },
    restoreWorkspace: (input: RestoreWorkspaceInput) => restoreWorkspace(deps, input),
    loadSessionContext: (input: LoadContextInput) => loadSessionContext(deps.db, input),
    checkServices: async (): Promise<Record<string, ServiceCheck>> => {
      const [database, containerEngine] = await Promise.all([
        checkDatabase(deps.db, deps.dbKind),
        checkContainerEngine(tpu),
      ]);
      // Reaching this activity at all proves Temporal and a worker are up.
      return {
        temporal: { status: 'ok', detail: 'worker connected', latencyMs: 0 },
        database,
        containerEngine,
      };
    },
    generateSessionSummary: (input: GenerateSummaryInput) => generateSessionSummary(deps.db, input),
    cleanTemporaryFiles: (input: { sessionId: string; workspacePath: string | null }) =>
      cleanTemporaryFiles(deps.home, input),

    // TPUs: one run on this worker's executor (a container, or a bubblewrap sandbox), output to
    // the record, cursor in the heartbeat; a container is removed by a separate call once the
    // workflow holds the result (name from tpuContainerName, or the result's containerName).
    runTpu: (input: TpuRunInput) => runTpu(tpu, deps.db, input, deps.home),
    removeTpuContainer: (name: string) => tpu.release(name),
    // ACP agents: their permission requests are read from the record (any worker); the answer
    // (or a cancel) is written to the run's stdin by the worker of the run's host.
    nextAgentPermission: (input: NextAgentPermissionInput) => nextAgentPermission(deps.db, input),
    tellAgent: (input: RunStdinTarget & { line: RunStdinLine }) => tpu.tell(input, stdinText(input.line)),

    // Nanocycles: git, the record, and what an agent asks.
    // Git heartbeats while it runs: the workflows give these a heartbeatTimeout, so a worker lost
    // inside one is noticed in seconds and another worker repeats it (each is safe to repeat).
    createNanocycleWorktree: (input: {
      sessionId: string;
      nanocycleId: string;
      workspace: string;
      branch: string;
      base: string;
    }) =>
      heartbeatWhile(() =>
        createNanocycleWorktree({
          workspace: input.workspace,
          branch: input.branch,
          base: input.base,
          path: worktreePath(deps.home, input.sessionId, input.nanocycleId),
        }),
      ),
    // The workspace (whose git directory git is pointed at) follows from where the worktree is.
    commitNanocycle: (input: { path: string; message: string }) =>
      heartbeatWhile(() =>
        commitNanocycle({ ...input, workspace: workspaceOfWorktree(deps.home, input.path) }),
      ),
    mergeNanocycle: (input: { workspace: string; branch: string; message: string }) =>
      heartbeatWhile(() => mergeNanocycle(input)),
    readAgentHoldRequest: (input: { worktree: string }) => heartbeatWhile(() => readAgentHoldRequest(input)),
    pushSessionBranch: (input: { workspace: string; branch: string }) =>
      heartbeatWhile(() => pushSessionBranch(input)),
    pushNanocycleBranch: (input: PushNanocycleBranchInput) =>
      heartbeatWhile(() => pushNanocycleBranch(input)),
    recordNanocycle: (input: { nanocycle: NanocycleWrite; event?: UncheckedTimelineEvent }) =>
      failFastOnDataError(() => recordNanocycle(deps.db, input)),
    recordHoldPointOpened: (input: OpenHoldPointInput) =>
      failFastOnDataError(() => recordHoldPointOpened(deps.db, input)),
    recordHoldPointResolved: (input: ResolveHoldPointInput) =>
      failFastOnDataError(() => recordHoldPointResolved(deps.db, input)),

    // Review sessions: the approved branch is merged into its base (never executed).
    mergeReviewBranch: (input: { workspace: string; base: string; branch: string; message: string }) =>
      heartbeatWhile(() => mergeReviewBranch(input)),

    // Planning sessions: a context document written or deleted, committed on the session's branch.
    commitContextEdit: (input: CommitContextEditInput) => commitContextEdit(input),
  };
}

export type SessionActivities = ReturnType<typeof createSessionActivities>;
