import type { Database } from '../db/database.js';
import { checkContainerEngine, checkDatabase, type ServiceCheck } from '../runtime/service-checks.js';
import { cleanTemporaryFiles } from './clean-temporary-files.js';
import { cloneWorkspace, type CloneWorkspaceInput } from './clone-workspace.js';
import { generateSessionSummary, type GenerateSummaryInput } from './generate-summary.js';
import { loadSessionContext, type LoadContextInput } from './load-context.js';
import { recordTransition, type RecordTransitionInput } from './record-transition.js';
import Docker from 'dockerode';
import { removeTpuContainer } from './tpu/remove-tpu-container.js';
import { runTpu } from './tpu/run-tpu.js';
import type { TpuRunInput } from './tpu/tpu-spec.js';
import { readAgentHoldRequest } from './agent-hold-request.js';
import { pushSessionBranch } from './push-session-branch.js';
import { mergeReviewBranch } from './review-git.js';
import { commitNanocycle, createNanocycleWorktree, mergeNanocycle, workspaceOfWorktree, worktreePath } from './nanocycle-git.js';
import { recordHoldPointOpened, recordHoldPointResolved, recordNanocycle, type OpenHoldPointInput, type ResolveHoldPointInput } from './nanocycle-records.js';
import type { NanocycleRecord } from '../db/nanocycles-store.js';
import type { NewTimelineEvent } from '../contracts/timeline.js';

export interface ActivityDeps {
  db: Database;
  dbKind: string;
  /** `$TEVIS_HOME`: workspaces live under it. */
  home: string;
}

/**
 * The session workflow's activities, bound to this worker's database and home. Names say what
 * each does, because they are what the Temporal Web UI shows.
 */
export function createSessionActivities(deps: ActivityDeps) {
  return {
    recordTransition: (input: RecordTransitionInput) => recordTransition(deps.db, input),
    cloneWorkspace: (input: CloneWorkspaceInput) => cloneWorkspace(deps.home, input),
    loadSessionContext: (input: LoadContextInput) => loadSessionContext(deps.db, input),
    checkServices: async (): Promise<Record<string, ServiceCheck>> => {
      const [database, containerEngine] = await Promise.all([checkDatabase(deps.db, deps.dbKind), checkContainerEngine()]);
      // Reaching this activity at all proves Temporal and a worker are up.
      return { temporal: { status: 'ok', detail: 'worker connected', latencyMs: 0 }, database, containerEngine };
    },
    generateSessionSummary: (input: GenerateSummaryInput) => generateSessionSummary(deps.db, input),
    cleanTemporaryFiles: (input: { sessionId: string; workspacePath: string | null }) => cleanTemporaryFiles(deps.home, input),

    // TPUs: one run in a container on the engine at DOCKER_HOST (or a local process without one),
    // output to the record, cursor in the heartbeat; the container is removed by a separate call
    // once the workflow holds the result (name from tpuContainerName, or the result's containerName).
    runTpu: (input: TpuRunInput) => runTpu({ db: deps.db }, input),
    removeTpuContainer: (name: string) => removeTpuContainer(new Docker(), name),

    // Nanocycles: git, the record, and what an agent asks.
    createNanocycleWorktree: (input: { sessionId: string; nanocycleId: string; workspace: string; branch: string; base: string }) =>
      createNanocycleWorktree({ workspace: input.workspace, branch: input.branch, base: input.base, path: worktreePath(deps.home, input.sessionId, input.nanocycleId) }),
    // The workspace (whose git directory git is pointed at) follows from where the worktree is.
    commitNanocycle: (input: { path: string; message: string }) => commitNanocycle({ ...input, workspace: workspaceOfWorktree(deps.home, input.path) }),
    mergeNanocycle: (input: { workspace: string; branch: string; message: string }) => mergeNanocycle(input),
    readAgentHoldRequest: (input: { worktree: string }) => readAgentHoldRequest(input),
    pushSessionBranch: (input: { workspace: string; branch: string }) => pushSessionBranch(input),
    recordNanocycle: (input: { nanocycle: NanocycleRecord; event?: NewTimelineEvent }) => recordNanocycle(deps.db, input),
    recordHoldPointOpened: (input: OpenHoldPointInput) => recordHoldPointOpened(deps.db, input),
    recordHoldPointResolved: (input: ResolveHoldPointInput) => recordHoldPointResolved(deps.db, input),

    // Review sessions: the approved branch is merged into its base (never executed).
    mergeReviewBranch: (input: { workspace: string; base: string; branch: string; message: string }) => mergeReviewBranch(input),
  };
}

export type SessionActivities = ReturnType<typeof createSessionActivities>;
