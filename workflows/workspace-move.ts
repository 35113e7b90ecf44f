import { proxyActivities } from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import { ACTIVITY_OPTIONS } from './activity-options.js';
import type { SessionRun } from './session-run.js';

/** The restore goes to the shared queue: any live host takes it, and becomes the workspace's host. */
const anyHost = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.workspace);

/**
 * The workspace's host is lost: make the workspace again on another host from the remote and the
 * pushed nanocycle branches, and say on the timeline what came back and what did not. A host that
 * takes the restore itself was not lost after all (it was slow): nothing moves.
 */
export async function moveWorkspace(run: SessionRun, lost: string): Promise<void> {
  const state = run.state;
  const merged = state.nanocycles
    .filter((nc) => nc.status === 'merged' && nc.commit)
    .map((nc) => ({
      id: nc.id,
      name: nc.name,
      branch: nc.branch,
      commit: nc.commit!,
      branchHead: state.nanocycleBranchHeads?.[nc.id] ?? null,
    }));
  const restored = await anyHost.restoreWorkspace({
    sessionId: state.sessionId,
    repository: state.repository,
    branch: state.branch,
    merged,
  });
  if (!restored.host || restored.host === lost) return;
  state.workspaceHost = restored.host;
  state.workspacePath = restored.path;
  await run.writeEvent(
    'workspace.moved',
    {
      from: lost,
      to: restored.host,
      path: restored.path,
      head: restored.head,
      restored: restored.restored,
      lost: restored.lost,
    },
    { workspacePath: restored.path, workspaceHost: restored.host },
  );
}
