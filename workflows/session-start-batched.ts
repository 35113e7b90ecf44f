import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import { redactCredentials } from '../contracts/git-inputs.js';
import { ACTIVITY_OPTIONS } from './activity-options.js';
import { localRecords } from './session-local-records.js';
import type { SessionRun } from './session-run.js';
import { statusKey } from './session-search-attributes.js';

const workspace = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.workspace);

/**
 * A new session made ready and active in as few round trips as it takes (prepareWorkspace in
 * session-start.ts did it one activity a step): the clone is the one ordinary activity; the
 * context, the service check and the record are local activities, and the events from the clone
 * to `session.active` are written together. The timeline reads as before, event for event.
 * An end asked for while starting leaves the session short of active, as before.
 */
export async function prepareWorkspaceBatched(run: SessionRun): Promise<void> {
  const state = run.state;
  await run.writeEventsLocally([
    {
      type: 'workspace.cloning',
      data: { repository: redactCredentials(state.repository), branch: state.branch },
    },
  ]);
  // A working session starts from the work earlier ones merged on its branch (the activity
  // says on the timeline what it carried forward, or why not); a review session from the remote.
  const carryForwardFrom = state.type === 'review' ? {} : { carryForwardFrom: { project: state.project } };
  const cloned = await workspace.cloneWorkspace({
    sessionId: state.sessionId,
    repository: state.repository,
    branch: state.branch,
    ...carryForwardFrom,
  });
  state.workspacePath = cloned.path;
  state.startCommit ??= cloned.startCommit;
  const [context, services] = await Promise.all([
    localRecords.loadSessionContext({
      sessionId: state.sessionId,
      project: state.project,
      workspacePath: cloned.path,
    }),
    localRecords.checkServices(),
  ]);
  state.context = context;
  const activate = !run.endRequested;
  if (activate) {
    state.status = 'active';
    upsertSearchAttributes([{ key: statusKey, value: 'active' }]);
  }
  await run.writeEventsLocally(
    [
      {
        type: 'workspace.cloned',
        data: { path: cloned.path, startCommit: state.startCommit, reused: !cloned.cloned },
      },
      {
        type: 'context.loaded',
        data: {
          docs: context.docs,
          memoryEntries: context.memoryEntries,
          preferences: Object.keys(context.preferences),
        },
      },
      { type: 'services.checked', data: services },
      ...(activate ? [{ type: 'session.active' as const, data: {} }] : []),
    ],
    {
      workspacePath: cloned.path,
      startCommit: state.startCommit,
      ...(activate ? { status: 'active' as const } : {}),
    },
  );
}
