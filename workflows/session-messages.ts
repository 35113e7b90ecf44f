import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SessionWorkflowState } from '../contracts/session-state.js';
import type { SessionStatus } from '../contracts/session-types.js';

/**
 * The session workflow's public surface, shared by the workflow and its callers (API, tests).
 * Fire-and-forget commands are signals; anything that can be refused is an Update whose
 * validator says why before anything changes.
 */
export const sessionStateQuery = defineQuery<SessionWorkflowState>('sessionState');

/** Any activity on the session: resets the inactivity timer. */
export const touchSignal = defineSignal<[]>('touch');

export interface TransitionResult {
  status: SessionStatus;
}

export const pauseUpdate = defineUpdate<TransitionResult, []>('pause');
export const resumeUpdate = defineUpdate<TransitionResult, []>('resume');
export const endUpdate = defineUpdate<TransitionResult, []>('end');
