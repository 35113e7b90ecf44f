import { ApplicationFailure, allHandlersFinished, condition, proxyActivities } from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import { redactCredentials } from '../contracts/git-inputs.js';
import { ACTIVITY_OPTIONS } from './activity-options.js';
import { failureMessage } from './failure-message.js';
import type { SessionRun } from './session-run.js';

const record = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.records);
const workspace = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.workspace);

/**
 * A start that failed (a clone, the context) ends the session `failed`, and the run with it,
 * once every handler has answered.
 */
export async function failStart(run: SessionRun, error: unknown): Promise<never> {
  const state = run.state;
  const message = redactCredentials(failureMessage(error));
  state.failure = message;
  state.endReason = 'failed';
  await run.moveTo(
    'failed',
    'session.failed',
    { error: message },
    { failure: message, endReason: 'failed', endedAt: new Date().toISOString() },
  );
  run.closed = true;
  await condition(allHandlersFinished);
  throw ApplicationFailure.create({
    message: `session ${state.sessionId} failed to start: ${message}`,
    type: 'session-start-failed',
    nonRetryable: true,
  });
}

/** A new session's workspace, cloned (or reused), and where it is and starts in the run's state. */
export async function cloneNewWorkspace(run: SessionRun, loadContext?: { project: string }) {
  const state = run.state;
  // A working session starts from the work earlier ones merged on its branch (the activity
  // says on the timeline what it carried forward, or why not); a review session from the remote.
  const carryForwardFrom = state.type === 'review' ? {} : { carryForwardFrom: { project: state.project } };
  const cloned = await workspace.cloneWorkspace({
    sessionId: state.sessionId,
    repository: state.repository,
    branch: state.branch,
    ...carryForwardFrom,
    ...(loadContext ? { loadContext } : {}),
  });
  state.workspacePath = cloned.path;
  // From here its workspace activities go to the host that cloned it (workspace-host.ts).
  if (cloned.host) state.workspaceHost = cloned.host;
  // A start commit known already (from the record) is kept.
  const startCommit = state.startCommit ?? cloned.startCommit;
  state.startCommit = startCommit;
  return { ...cloned, startCommit };
}

/** A new session: its workspace cloned (or reused), its context loaded, its services checked. */
export async function prepareWorkspace(run: SessionRun): Promise<void> {
  const state = run.state;
  await run.writeEvent('workspace.cloning', {
    repository: redactCredentials(state.repository),
    branch: state.branch,
  });
  const cloned = await cloneNewWorkspace(run);
  await run.writeEvent(
    'workspace.cloned',
    { path: cloned.path, startCommit: cloned.startCommit, reused: !cloned.cloned },
    { workspacePath: cloned.path, startCommit: cloned.startCommit },
  );
  state.context = await record.loadSessionContext({
    sessionId: state.sessionId,
    project: state.project,
    workspacePath: cloned.path,
  });
  await run.writeEvent('context.loaded', {
    docs: state.context.docs,
    memoryEntries: state.context.memoryEntries,
    preferences: Object.keys(state.context.preferences),
  });
  const services = await record.checkServices();
  await run.writeEvent('services.checked', services);
}
