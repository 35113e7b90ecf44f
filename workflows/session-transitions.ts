import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  patched,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { CommandStamp } from '../contracts/sealed-commands.js';
import type { TimelineEventType } from '../contracts/timeline.js';
import { summarizeSessionState } from '../contracts/session-state.js';
import { ACTIVITY_OPTIONS } from './activity-options.js';
import { requireStamp, signalIsStamped } from './command-guard.js';
import { refuse, refused } from './refusal.js';
import type { SessionRun } from './session-run.js';
import {
  endUpdate,
  pauseUpdate,
  restoreWorkspaceUpdate,
  resumeUpdate,
  sessionStateQuery,
  touchSignal,
} from './session-messages.js';
import { statusKey } from './session-search-attributes.js';

/**
 * The session's own messages: its state, touch, and the transitions a person asks for (pause,
 * resume, end, restore the workspace). Each validator refuses before anything changes; the steps
 * that write run one at a time (`run.transitions`).
 */
export function installSessionTransitions(run: SessionRun, sealedCommands: boolean): void {
  const state = run.state;
  setHandler(sessionStateQuery, () => summarizeSessionState(state));
  setHandler(touchSignal, (stamp) => {
    // An unstamped touch (anyone's) must not keep the session alive.
    if (sealedCommands && !signalIsStamped(state.sessionId, stamp)) return;
    run.noteActivity();
  });
  installPause(run);
  installResume(run);
  installEnd(run);
  installRestoreWorkspace(run);
}

/**
 * The status change a person's pause or resume waits for. Its record write is a local activity,
 * so the Update answers from the one workflow task that ran it; histories from before the patch
 * wrote it with an ordinary activity, and replay the same.
 */
function moveAnswering(run: SessionRun, status: 'active' | 'paused', type: TimelineEventType) {
  return patched('session-transitions-local') ? run.moveToLocally(status, type) : run.moveTo(status, type);
}

/**
 * The record's refusal of a status, as an activity reports it (an ActivityFailure caused by
 * it) or a local activity does (the failure itself, as the worker's SDK hands it over).
 */
function sessionConflictIn(error: unknown): ApplicationFailure | null {
  const failure = error instanceof ActivityFailure ? error.cause : error;
  return failure instanceof ApplicationFailure && failure.type === 'session-conflict' ? failure : null;
}

function installPause(run: SessionRun): void {
  const state = run.state;
  setHandler(
    pauseUpdate,
    () =>
      run.transitions.runExclusive(async () => {
        if (state.status !== 'active')
          throw refused(`session ${state.sessionId} is ${state.status}, not active`);
        run.updatesHandled++;
        run.noteActivity();
        await moveAnswering(run, 'paused', 'session.paused');
        return { status: state.status };
      }),
    {
      validator: (stamp?: CommandStamp) => {
        requireStamp(state.sessionId, stamp);
        if (state.status !== 'active' || run.endRequested)
          throw refused(
            `session ${state.sessionId} is ${run.statusForRefusal()}; only an active session can be paused`,
          );
      },
    },
  );
}

function installResume(run: SessionRun): void {
  const state = run.state;
  setHandler(
    resumeUpdate,
    () =>
      run.transitions.runExclusive(async () => {
        if (state.status !== 'paused')
          throw refused(`session ${state.sessionId} is ${state.status}, not paused`);
        run.updatesHandled++;
        run.noteActivity();
        try {
          await moveAnswering(run, 'active', 'session.resumed');
        } catch (error) {
          // Another session of the project is active: the record refused the status and stays
          // paused, so this run steps back to paused too, and the Update fails with the conflict.
          const conflict = sessionConflictIn(error);
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
        if (state.status !== 'paused' || run.endRequested)
          throw refused(
            `session ${state.sessionId} is ${run.statusForRefusal()}; only a paused session can be resumed`,
          );
      },
    },
  );
}

function installEnd(run: SessionRun): void {
  const state = run.state;
  setHandler(
    endUpdate,
    async () => {
      run.updatesHandled++;
      run.endRequested ??= 'user';
      run.noteActivity();
      await condition(() => run.closed);
      return { status: state.status };
    },
    {
      validator: (stamp?: CommandStamp) => {
        requireStamp(state.sessionId, stamp);
        if (
          run.endRequested ||
          state.status === 'ending' ||
          state.status === 'ended' ||
          state.status === 'failed'
        ) {
          throw refused(
            `session ${state.sessionId} is already ${run.endRequested && state.status !== 'ended' ? 'ending' : state.status}`,
          );
        }
      },
    },
  );
}

function installRestoreWorkspace(run: SessionRun): void {
  const state = run.state;
  setHandler(
    restoreWorkspaceUpdate,
    () =>
      run.transitions.runExclusive(async () => {
        run.updatesHandled++;
        run.noteActivity();
        const restored = await run.host.run(ACTIVITY_OPTIONS.workspace, (on) =>
          on.cloneWorkspace({
            sessionId: state.sessionId,
            repository: state.repository,
            branch: state.branch,
          }),
        );
        if (restored.cloned)
          await run.writeEvent('workspace.recloned', {
            path: restored.path,
            head: restored.startCommit,
            why: 'the workspace was gone',
          });
        return { recloned: restored.cloned, head: restored.startCommit };
      }),
    {
      validator: (stamp?: CommandStamp) => {
        requireStamp(state.sessionId, stamp);
        if ((state.status !== 'active' && state.status !== 'paused') || run.endRequested)
          throw refused(
            `session ${state.sessionId} is ${run.statusForRefusal()}; only an open session's workspace is restored`,
          );
      },
    },
  );
}
