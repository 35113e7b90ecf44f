import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import { UNSTAMPED_REFUSAL } from '../contracts/sealed-commands.js';
import { ACTIVITY_OPTIONS } from './activity-options.js';
import { checksSealedCommands, requireGenuineSessionStart } from './command-guard.js';
import { refuse } from './refusal.js';
import { endSession } from './session-end.js';
import { installSessionHandlers } from './session-handlers.js';
import type { SessionWorkflowInput } from './session-input.js';
import type { TransitionResult } from './session-messages.js';
import { SessionRun } from './session-run.js';
import { projectKey, statusKey, typeKey } from './session-search-attributes.js';
import { localRecords } from './session-local-records.js';
import { failStart, prepareWorkspace } from './session-start.js';
import { prepareWorkspaceBatched } from './session-start-batched.js';

const record = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.records);

/** Continue-as-new well before Temporal's limit of 51,200 events. */
const DEFAULT_HISTORY_LIMIT = 10_000;

/**
 * One session, from its first clone to its summary:
 *
 *   starting → active ⇄ paused → ending → ended          (or failed while starting)
 *
 * It waits while the session is open; any activity (touch, pause, resume) restarts the
 * inactivity timer of the current status, and when that runs out the session ends itself with
 * reason `inactivity`. The database is kept in step through activities, after the state here
 * has changed, so the query is never behind the record.
 */
export async function sessionWorkflow(input: SessionWorkflowInput): Promise<TransitionResult> {
  // Before anything else: a start that is not Tevis's fails here, having done nothing.
  const sealedCommands = checksSealedCommands();
  if (sealedCommands) requireGenuineSessionStart(input);
  const run = new SessionRun({ ...input.state });
  const state = run.state;
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const { review, contextEditing, nanocycles } = installSessionHandlers(run, sealedCommands);

  upsertSearchAttributes([
    { key: projectKey, value: state.project },
    { key: typeKey, value: state.type },
    { key: statusKey, value: state.status },
  ]);

  // Before any write: the record must expect this run (see activities/confirm-session-start.ts).
  // A refusal fails the run here and leaves the record as it is.
  // A start with fewer round trips (session-start-batched.ts); recorded histories replay without it.
  const batchedStart = input.phase !== 'continue' && patched('session-start-batched');
  if (sealedCommands && input.phase !== 'continue') {
    try {
      await (batchedStart ? localRecords : record).confirmSessionStart({
        sessionId: state.sessionId,
        phase: input.phase,
      });
    } catch (error) {
      throw refuse(
        'unauthorized',
        `${UNSTAMPED_REFUSAL} (${error instanceof ActivityFailure ? error.cause?.message : String(error)})`,
      );
    }
  }

  try {
    if (input.phase === 'recover') {
      await run.writeEvent('session.recovered', { status: state.status, run: state.run });
      await nanocycles.failLost();
    }
    if (state.status === 'starting') {
      if (batchedStart) await prepareWorkspaceBatched(run);
      else {
        await prepareWorkspace(run);
        // An end asked for while starting goes straight to ending below.
        if (!run.endRequested) await run.moveTo('active', 'session.active');
      }
    } else if (input.phase === 'recover' && state.workspacePath) {
      const restored = await run.host.run(ACTIVITY_OPTIONS.workspace, (on) =>
        on.cloneWorkspace({ sessionId: state.sessionId, repository: state.repository, branch: state.branch }),
      );
      if (restored.cloned)
        await run.writeEvent('workspace.recloned', { path: restored.path, head: restored.startCommit });
    }
  } catch (error) {
    return await failStart(run, error);
  }

  // The open life of the session: wait for the next thing to happen, or for the timeout.
  while (state.status === 'active' || state.status === 'paused' || state.status === 'starting') {
    if (run.endRequested) break;
    // Children and merges in flight belong to this run; the hand-over waits until there are none.
    if (run.historyIsLong(historyLimit) && nanocycles.idle()) {
      // An end accepted meanwhile waits for the ending below; waiting for it here would deadlock.
      await condition(() => allHandlersFinished() || run.endRequested !== null);
      if (!run.endRequested) {
        return continueAsNew<typeof sessionWorkflow>({
          phase: 'continue',
          state: { ...state, run: state.run + 1 },
          historyLimit: input.historyLimit,
        });
      }
      break;
    }
    const timeoutSeconds =
      state.status === 'paused' ? state.pausedTimeoutSeconds : state.activeTimeoutSeconds;
    const wakeUp = run.somethingHappened();
    // A TPU at work is progress: the inactivity timer only runs while none is.
    if (nanocycles.busy()) {
      await condition(wakeUp);
      continue;
    }
    const woke = await condition(wakeUp, timeoutSeconds * 1000);
    if (!woke) run.endRequested = 'inactivity';
  }

  const reason = run.endRequested ?? 'user';
  await nanocycles.stop();
  await review.stop();
  await contextEditing.stop();
  await run.transitions.runExclusive(() => endSession(run, reason));
  await condition(allHandlersFinished);
  return { status: state.status };
}
