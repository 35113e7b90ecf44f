import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { TpuHeartbeat } from './tpu-spec.js';

/**
 * The little of Temporal's activity context a TPU executor uses, or a stand-in that never cancels
 * when the executor is called outside an activity (a script, a benchmark).
 */
export interface TpuActivityContext {
  /** 1, then 2, 3, … when Temporal retries the activity. */
  readonly attempt: number;
  /** What the previous attempt last heartbeated, on a retry. */
  readonly lastHeartbeat: TpuHeartbeat | undefined;
  heartbeat(details: TpuHeartbeat): void;
  /** Aborted when Temporal cancels the activity, for whatever reason (see `cancelKind`). */
  readonly signal: AbortSignal;
  /**
   * 'requested': the workflow (a person) cancelled the work: stop it and remove the container.
   * 'interrupted': the worker is shutting down, the server timed the attempt out, the activity was
   * paused or reset…: leave the container running; the next attempt re-attaches to it.
   */
  cancelKind(): 'requested' | 'interrupted';
  /** Whether a cancellation came because this worker is shutting down. */
  workerShutdown(): boolean;
}

function isHeartbeat(value: unknown): value is TpuHeartbeat {
  const v = value as TpuHeartbeat | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.seq === 'number' &&
    (v.executor === 'docker' || v.executor === 'sandbox')
  );
}

export function currentTpuContext(): TpuActivityContext {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return {
      attempt: 1,
      lastHeartbeat: undefined,
      heartbeat: () => {},
      signal: new AbortController().signal,
      cancelKind: () => 'interrupted',
      workerShutdown: () => false,
    };
  }
  const details = context.info.heartbeatDetails;
  return {
    attempt: context.info.attempt,
    lastHeartbeat: isHeartbeat(details) ? details : undefined,
    heartbeat: (d) => context.heartbeat(d),
    signal: context.cancellationSignal,
    workerShutdown: () => context.cancellationDetails?.workerShutdown === true,
    cancelKind() {
      const cancellation = context.cancellationDetails;
      if (cancellation?.workerShutdown) return 'interrupted';
      if (cancellation?.cancelRequested) return 'requested';
      // Servers that send no details: the reason is the CancelledFailure's message.
      const reason = context.cancellationSignal.reason;
      return reason instanceof CancelledFailure && reason.message === 'CANCELLED'
        ? 'requested'
        : 'interrupted';
    },
  };
}

/** The CancelledFailure Temporal aborted with (what an activity rethrows to end as cancelled). */
export function cancellationError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new CancelledFailure(String(reason ?? 'CANCELLED'));
}
