import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SessionWorkflowSummary } from '../contracts/session-state.js';
import type { CommandStamp } from '../contracts/sealed-commands.js';
import type { SessionStatus } from '../contracts/session-types.js';

/**
 * The session workflow's public surface, shared by the workflow and its callers (API, tests).
 * Fire-and-forget commands are signals; anything that can be refused is an Update whose
 * validator says why before anything changes.
 */
export const sessionStateQuery = defineQuery<SessionWorkflowSummary>('sessionState');

/**
 * Commands from the API carry a CommandStamp as their last argument (see
 * contracts/sealed-commands.ts); histories from before it have none, hence optional.
 */

/** Any activity on the session: resets the inactivity timer. */
export const touchSignal = defineSignal<[CommandStamp?]>('touch');

export interface TransitionResult {
  status: SessionStatus;
}

export const pauseUpdate = defineUpdate<TransitionResult, [CommandStamp?]>('pause');
export const resumeUpdate = defineUpdate<TransitionResult, [CommandStamp?]>('resume');
export const endUpdate = defineUpdate<TransitionResult, [CommandStamp?]>('end');

export interface WorkspaceRestored {
  /** False when the workspace was there after all (nothing was cloned). */
  recloned: boolean;
  head: string;
}

/** The workspace of a running session was deleted: clone it again (its unpushed work is gone with it). */
export const restoreWorkspaceUpdate = defineUpdate<WorkspaceRestored, [CommandStamp?]>('restoreWorkspace');
