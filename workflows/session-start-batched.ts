import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import { redactCredentials } from '../contracts/git-inputs.js';
import { localRecords } from './session-local-records.js';
import type { SessionRun } from './session-run.js';
import { statusKey } from './session-search-attributes.js';
import { cloneNewWorkspace } from './session-start.js';

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
  // On worker hosts the context is read by the clone, on the host that holds the files: a local
  // activity would read them wherever this workflow task runs. Histories from before read it here.
  const contextWithClone = patched('context-with-clone');
  const cloned = await cloneNewWorkspace(run, contextWithClone ? { project: state.project } : undefined);
  const [context, services] = await Promise.all([
    contextWithClone && cloned.context
      ? cloned.context
      : localRecords.loadSessionContext({
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
        data: { path: cloned.path, startCommit: cloned.startCommit, reused: !cloned.cloned },
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
      startCommit: cloned.startCommit,
      ...(cloned.host ? { workspaceHost: cloned.host } : {}),
      ...(activate ? { status: 'active' as const } : {}),
    },
  );
}
