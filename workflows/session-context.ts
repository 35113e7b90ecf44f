import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import { ACTIVITY_OPTIONS } from './activity-options.js';
import { ContextEdit, contextPathProblem } from '../contracts/context-documents.js';
import { PROBLEM_TYPES, type ProblemType } from '../contracts/problems.js';
import type { CommandStamp } from '../contracts/sealed-commands.js';
import type { SessionWorkflowState } from '../contracts/session-state.js';
import { requireStamp } from './command-guard.js';
import { HandlerMutex } from './handler-mutex.js';
import { editContextUpdate } from './context-messages.js';
import { refuseInvalid } from './validate-input.js';
import { refuse } from './refusal.js';
import type { WorkspaceActivities, WorkspaceHost } from './workspace-host.js';

/** The commit stands on the branch once made: its event is written patiently, as the session's own events are. */
const record = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.records);

/**
 * Context editing in a planning session: each change to a `.tevis/` document is written and
 * committed on the session's branch by an activity on the worker that holds the workspace, one at
 * a time, then put on the timeline (`context.edited`). Git runs here, not in the API, because the
 * workspace is the worker's and its commits must not interleave with anything else the session does.
 *
 * Returns `stop()`, for the session's end: it waits for an edit being made.
 */
export function installContextEditing(
  state: SessionWorkflowState,
  noteActivity: () => void,
  isEnding: () => boolean,
  host: WorkspaceHost,
): { stop(): Promise<void> } {
  // Each edit commits on the session's branch: one at a time, in the order they came.
  const commits = new HandlerMutex();
  let eventNumber = 0;

  const validator = (edit: ContextEdit, stamp?: CommandStamp) => {
    requireStamp(state.sessionId, stamp);
    refuseInvalid(ContextEdit, edit, 'context edit');
    const problem = contextPathProblem(edit.path);
    if (problem) throw refuse(problem.type, problem.message);
    if (state.type !== 'planning') {
      throw refuse(
        'capability-not-allowed',
        `a ${state.type} session cannot edit context documents; that takes a planning session`,
      );
    }
    if ((state.status !== 'active' && state.status !== 'paused') || isEnding()) {
      throw refuse(
        'invalid-transition',
        `session ${state.sessionId} is ${isEnding() ? 'ending' : state.status}; context is edited in an open session`,
      );
    }
    if (!state.workspacePath)
      throw refuse('invalid-transition', `session ${state.sessionId} has no workspace yet`);
  };

  setHandler(
    editContextUpdate,
    (edit) =>
      commits.runExclusive(async () => {
        noteActivity();
        let edited: Awaited<ReturnType<WorkspaceActivities['commitContextEdit']>>;
        try {
          edited = await host.run(ACTIVITY_OPTIONS.contextGit, (on) =>
            on.commitContextEdit({
              sessionId: state.sessionId,
              workspace: state.workspacePath!,
              path: edit.path,
              content: edit.content,
            }),
          );
        } catch (error) {
          const cause =
            error instanceof ActivityFailure && error.cause instanceof ApplicationFailure
              ? error.cause
              : null;
          const type: ProblemType =
            cause?.type && cause.type in PROBLEM_TYPES ? (cause.type as ProblemType) : 'internal';
          throw refuse(
            type,
            `${edit.content === null ? 'deleting' : 'writing'} .tevis/${edit.path} failed: ${cause?.message ?? String(error)}`,
          );
        }
        if (edited.changed) {
          await record.recordTransition({
            sessionId: state.sessionId,
            changes: {},
            event: {
              sessionId: state.sessionId,
              type: 'context.edited',
              data: { ...edited },
              key: `${workflowInfo().runId}:context:${++eventNumber}`,
            },
          });
        }
        return edited;
      }),
    { validator },
  );

  return {
    async stop() {
      await commits.settled();
    },
  };
}
