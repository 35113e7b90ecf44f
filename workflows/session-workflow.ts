import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import { ACTIVITY_OPTIONS } from './activity-options.js';
import type { SessionRecordChanges } from '../activities/record-transition.js';
import { redactCredentials } from '../contracts/git-inputs.js';
import { UNSTAMPED_REFUSAL, type CommandStamp } from '../contracts/sealed-commands.js';
import type { SessionWorkflowState } from '../contracts/session-state.js';
import type { EndReason, SessionStatus } from '../contracts/session-types.js';
import type { TimelineEventType } from '../contracts/timeline.js';
import {
  checksSealedCommands,
  requireGenuineSessionStart,
  requireStamp,
  signalIsStamped,
} from './command-guard.js';
import type { SessionWorkflowInput } from './session-input.js';
import {
  endUpdate,
  pauseUpdate,
  restoreWorkspaceUpdate,
  resumeUpdate,
  sessionStateQuery,
  touchSignal,
  type TransitionResult,
} from './session-messages.js';
import { projectKey, statusKey, typeKey } from './session-search-attributes.js';
import { installNanocycles } from './session-nanocycles.js';
import { installReview } from './session-review.js';
import { installContextEditing } from './session-context.js';
import { refuse, refused } from './refusal.js';

const record = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.records);
const workspace = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.workspace);
const summary = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.summary);

/** Continue-as-new well before Temporal's limits (51,200 events, 2,000 updates). */
const DEFAULT_HISTORY_LIMIT = 10_000;
const UPDATE_LIMIT = 1_000;

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
  const state: SessionWorkflowState = { ...input.state };
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  let endRequested: EndReason | null = state.status === 'ending' ? (state.endReason ?? 'user') : null;
  let activityTick = 0;
  let updatesHandled = 0;
  let eventNumber = 0;
  /** Set once the ended (or failed) status is in the record too, so an end Update answers after it. */
  let closed = false;

  // Updates interleave at every await; transitions run one at a time in arrival order.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(step: () => Promise<T>): Promise<T> => {
    const next = queue.then(step);
    queue = next.catch(() => undefined);
    return next;
  };

  const noteActivity = () => {
    activityTick++;
    state.lastActivityAt = new Date().toISOString();
  };

  const writeEvent = (
    type: TimelineEventType,
    data: Record<string, unknown> = {},
    changes: SessionRecordChanges = {},
  ) =>
    record.recordTransition({
      sessionId: state.sessionId,
      changes,
      // Stable across activity retries, unique across runs: a retry never writes an event twice.
      event: { sessionId: state.sessionId, type, data, key: `${workflowInfo().runId}:${++eventNumber}` },
    });

  const moveTo = async (
    status: SessionStatus,
    type: TimelineEventType,
    data: Record<string, unknown> = {},
    changes: SessionRecordChanges = {},
  ) => {
    state.status = status;
    upsertSearchAttributes([{ key: statusKey, value: status }]);
    await writeEvent(type, data, { ...changes, status });
  };

  setHandler(sessionStateQuery, () => state);
  setHandler(touchSignal, (stamp) => {
    // An unstamped touch (anyone's) must not keep the session alive.
    if (sealedCommands && !signalIsStamped(state.sessionId, stamp)) return;
    noteActivity();
  });

  setHandler(
    pauseUpdate,
    () =>
      serially(async () => {
        if (state.status !== 'active')
          throw refused(`session ${state.sessionId} is ${state.status}, not active`);
        updatesHandled++;
        noteActivity();
        await moveTo('paused', 'session.paused');
        return { status: state.status };
      }),
    {
      validator: (stamp?: CommandStamp) => {
        requireStamp(state.sessionId, stamp);
        if (state.status !== 'active' || endRequested)
          throw refused(
            `session ${state.sessionId} is ${endRequested ? 'ending' : state.status}; only an active session can be paused`,
          );
      },
    },
  );

  setHandler(
    resumeUpdate,
    () =>
      serially(async () => {
        if (state.status !== 'paused')
          throw refused(`session ${state.sessionId} is ${state.status}, not paused`);
        updatesHandled++;
        noteActivity();
        try {
          await moveTo('active', 'session.resumed');
        } catch (error) {
          // Another session of the project is active: the record refused the status and stays
          // paused, so this run steps back to paused too, and the Update fails with the conflict.
          const conflict =
            error instanceof ActivityFailure &&
            error.cause instanceof ApplicationFailure &&
            error.cause.type === 'session-conflict'
              ? error.cause
              : null;
          if (!conflict) throw error;
          state.status = 'paused';
          upsertSearchAttributes([{ key: statusKey, value: 'paused' }]);
          throw refuse('session-conflict', conflict.message);
        }
        return { status: state.status };
      }),
    {
      validator: (stamp?: CommandStamp) => {
        requireStamp(state.sessionId, stamp);
        if (state.status !== 'paused' || endRequested)
          throw refused(
            `session ${state.sessionId} is ${endRequested ? 'ending' : state.status}; only a paused session can be resumed`,
          );
      },
    },
  );

  setHandler(
    endUpdate,
    async () => {
      updatesHandled++;
      endRequested ??= 'user';
      noteActivity();
      await condition(() => closed);
      return { status: state.status };
    },
    {
      validator: (stamp?: CommandStamp) => {
        requireStamp(state.sessionId, stamp);
        if (
          endRequested ||
          state.status === 'ending' ||
          state.status === 'ended' ||
          state.status === 'failed'
        ) {
          throw refused(
            `session ${state.sessionId} is already ${endRequested && state.status !== 'ended' ? 'ending' : state.status}`,
          );
        }
      },
    },
  );

  setHandler(
    restoreWorkspaceUpdate,
    () =>
      serially(async () => {
        updatesHandled++;
        noteActivity();
        const restored = await workspace.cloneWorkspace({
          sessionId: state.sessionId,
          repository: state.repository,
          branch: state.branch,
        });
        if (restored.cloned)
          await writeEvent('workspace.recloned', {
            path: restored.path,
            head: restored.startCommit,
            why: 'the workspace was gone',
          });
        return { recloned: restored.cloned, head: restored.startCommit };
      }),
    {
      validator: (stamp?: CommandStamp) => {
        requireStamp(state.sessionId, stamp);
        if ((state.status !== 'active' && state.status !== 'paused') || endRequested)
          throw refused(
            `session ${state.sessionId} is ${endRequested ? 'ending' : state.status}; only an open session's workspace is restored`,
          );
      },
    },
  );

  const review = installReview(state, noteActivity);
  const contextEditing = installContextEditing(
    state,
    () => {
      updatesHandled++;
      noteActivity();
    },
    () => endRequested !== null,
  );

  const nanocycles = installNanocycles(state, noteActivity, sealedCommands, (why) =>
    serially(async () => {
      if (state.status !== 'active') return;
      noteActivity();
      await moveTo('paused', 'session.paused', { reason: why });
    }),
  );

  upsertSearchAttributes([
    { key: projectKey, value: state.project },
    { key: typeKey, value: state.type },
    { key: statusKey, value: state.status },
  ]);

  // Before any write: the record must expect this run (see activities/confirm-session-start.ts).
  // A refusal fails the run here and leaves the record as it is.
  if (sealedCommands && input.phase !== 'continue') {
    try {
      await record.confirmSessionStart({ sessionId: state.sessionId, phase: input.phase });
    } catch (error) {
      throw refuse(
        'unauthorized',
        `${UNSTAMPED_REFUSAL} (${error instanceof ActivityFailure ? error.cause?.message : String(error)})`,
      );
    }
  }

  try {
    if (input.phase === 'recover') {
      await writeEvent('session.recovered', { status: state.status, run: state.run });
      await nanocycles.failLost();
    }
    if (state.status === 'starting') {
      await prepareWorkspace();
      // An end asked for while starting goes straight to ending below.
      if (!endRequested) await moveTo('active', 'session.active');
    } else if (input.phase === 'recover' && state.workspacePath) {
      const restored = await workspace.cloneWorkspace({
        sessionId: state.sessionId,
        repository: state.repository,
        branch: state.branch,
      });
      if (restored.cloned)
        await writeEvent('workspace.recloned', { path: restored.path, head: restored.startCommit });
    }
  } catch (error) {
    const message = redactCredentials(
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error),
    );
    state.failure = message;
    state.endReason = 'failed';
    await moveTo(
      'failed',
      'session.failed',
      { error: message },
      { failure: message, endReason: 'failed', endedAt: new Date().toISOString() },
    );
    closed = true;
    await condition(allHandlersFinished);
    throw ApplicationFailure.create({
      message: `session ${state.sessionId} failed to start: ${message}`,
      type: 'session-start-failed',
      nonRetryable: true,
    });
  }

  // The open life of the session: wait for the next thing to happen, or for the timeout.
  while (state.status === 'active' || state.status === 'paused' || state.status === 'starting') {
    if (endRequested) break;
    const info = workflowInfo();
    // Children and merges in flight belong to this run; the hand-over waits until there are none.
    if (
      (info.continueAsNewSuggested || info.historyLength > historyLimit || updatesHandled > UPDATE_LIMIT) &&
      nanocycles.idle()
    ) {
      // An end accepted meanwhile waits for the ending below; waiting for it here would deadlock.
      await condition(() => allHandlersFinished() || endRequested !== null);
      if (!endRequested) {
        return continueAsNew<typeof sessionWorkflow>({
          phase: 'continue',
          state: { ...state, run: state.run + 1 },
          historyLimit: input.historyLimit,
        });
      }
      break;
    }
    const seenTick = activityTick;
    const seenStatus = state.status;
    const timeoutSeconds = seenStatus === 'paused' ? state.pausedTimeoutSeconds : state.activeTimeoutSeconds;
    const wakeUp = () => activityTick !== seenTick || state.status !== seenStatus || endRequested !== null;
    // A TPU at work is progress: the inactivity timer only runs while none is.
    if (nanocycles.busy()) {
      await condition(wakeUp);
      continue;
    }
    const woke = await condition(wakeUp, timeoutSeconds * 1000);
    if (!woke) endRequested = 'inactivity';
  }

  const reason = endRequested ?? 'user';
  await nanocycles.stop();
  await review.stop();
  await contextEditing.stop();
  await serially(async () => {
    state.endReason = reason;
    await moveTo('ending', 'session.ending', { reason }, { endReason: reason });
    const endedAt = new Date().toISOString();
    const result = await summary.generateSessionSummary({ state, reason, endedAt });
    await writeEvent('summary.generated', {
      nanocyclesCompleted: result.nanocycles.completed,
      filesChanged: result.filesChanged.length,
      commits: result.commits,
      timeSpentSeconds: result.timeSpentSeconds,
    });
    await summary.cleanTemporaryFiles({ sessionId: state.sessionId, workspacePath: state.workspacePath });
    await moveTo('ended', 'session.ended', { reason }, { endedAt, endReason: reason });
    closed = true;
  });
  await condition(allHandlersFinished);
  return { status: state.status };

  async function prepareWorkspace(): Promise<void> {
    await writeEvent('workspace.cloning', {
      repository: redactCredentials(state.repository),
      branch: state.branch,
    });
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
    await writeEvent(
      'workspace.cloned',
      { path: cloned.path, startCommit: state.startCommit, reused: !cloned.cloned },
      { workspacePath: cloned.path, startCommit: state.startCommit },
    );
    state.context = await record.loadSessionContext({
      sessionId: state.sessionId,
      project: state.project,
      workspacePath: cloned.path,
    });
    await writeEvent('context.loaded', {
      docs: state.context.docs,
      memoryEntries: state.context.memoryEntries,
      preferences: Object.keys(state.context.preferences),
    });
    const services = await record.checkServices();
    await writeEvent('services.checked', services);
  }
}
