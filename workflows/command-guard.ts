import { type ApplicationFailure, currentUpdateInfo, patched, workflowInfo } from '@temporalio/workflow';
import { sessionWorkflowId } from '../contracts/ids.js';
import { isUnsealed, stampProblem, UNSTAMPED_REFUSAL } from '../contracts/sealed-commands.js';
import type { SessionWorkflowInput } from './session-input.js';
import type { NanocycleWorkflowInput } from './nanocycle-input.js';
import { refuse } from './refusal.js';

/**
 * The workflow side of "Temporal is no side door" (see contracts/sealed-commands.ts): a message
 * or a start that does not come from Tevis is refused, ignored or failed before it changes
 * anything, and never fails a workflow task (which would wedge the session).
 */

/**
 * Whether this run checks stamps and starts. Runs recorded before the check have no stamps
 * (their touches would be ignored on replay and the commands would no longer match), so they
 * keep the old behaviour; every run started since records the marker and checks.
 */
export function checksSealedCommands(): boolean {
  return patched('sealed-commands');
}

function unstamped(why: string): ApplicationFailure {
  return refuse('unauthorized', `${UNSTAMPED_REFUSAL} (${why})`);
}

/** For Update validators: throws unless the API stamped this very Update for this session. */
export function requireStamp(sessionId: string, stamp: unknown): void {
  const why = stampProblem(stamp, { sessionId, updateId: currentUpdateInfo()?.id ?? '', nowMs: Date.now() });
  if (why) throw unstamped(why);
}

/** For signal handlers: false for a signal the API did not stamp, which is then ignored. */
export function signalIsStamped(sessionId: string, stamp: unknown): boolean {
  return stampProblem(stamp, { sessionId, nowMs: Date.now() }) === null;
}

/** For signals between Tevis's own workflows: a plaintext (or absent) argument is ignored. */
export function isGenuineArgument(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !isUnsealed(value);
}

/**
 * A session run is started by the API (`start`, `recover`: stamped within minutes, under the
 * session's own workflow id) or by continue-as-new (which the server marks; nobody can set that
 * from a client). Anything else fails at once, before a handler or an activity exists.
 */
export function requireGenuineSessionStart(input: SessionWorkflowInput | undefined): void {
  const state = input?.state;
  if (!input || isUnsealed(input) || !state || typeof state.sessionId !== 'string')
    throw unstamped('not a session started by Tevis');
  const info = workflowInfo();
  if (info.workflowId !== sessionWorkflowId(state.sessionId))
    throw unstamped('a session runs under its own workflow id');
  if (input.phase === 'continue') {
    if (!info.continuedFromExecutionRunId) throw unstamped('a continued session comes from continue-as-new');
    return;
  }
  const why = stampProblem(input.stamp, { sessionId: state.sessionId, nowMs: Date.now() });
  if (why) throw unstamped(why);
}

/** A nanocycle runs only as the child of its session's workflow. */
export function requireGenuineNanocycleStart(input: NanocycleWorkflowInput | undefined): void {
  if (!input || isUnsealed(input) || typeof input.sessionWorkflowId !== 'string')
    throw unstamped('not a nanocycle started by Tevis');
  if (workflowInfo().parent?.workflowId !== input.sessionWorkflowId)
    throw unstamped('a nanocycle runs only as a child of its session');
}
