/**
 * Why a later attempt of a TPU run's activity runs at all (a sandbox run starts again from the
 * start; a docker run re-attaches to its container), and the words the output, the timeline, the
 * CLI and Mission Control use for it (one wording everywhere).
 */
export const RUN_RESTART_REASONS = ['worker-lost', 'worker-shutdown', 'attempt-failed'] as const;
export type RunRestartReason = (typeof RUN_RESTART_REASONS)[number];

const WHY: Record<RunRestartReason, string> = {
  'worker-lost': 'the worker running it was lost',
  'worker-shutdown': 'the worker running it shut down',
  'attempt-failed': 'the previous attempt failed',
};

/** `after the worker running it was lost`; an unknown reason (a newer server) is said as it is. */
export function runRestartWhy(reason: unknown): string {
  return typeof reason === 'string' && reason in WHY
    ? WHY[reason as RunRestartReason]
    : `of ${String(reason)}`;
}

/** What `nanocycle.run_reattached` says: a docker run picked up by a later attempt, nothing printed twice. */
export function runReattachedText(attempt: number, reason: unknown): string {
  return `run picked up again: attempt ${attempt}, because ${runRestartWhy(reason)}; it re-attached to the run's container, so no line is repeated`;
}

/** The `tevis` line in the output, just before the lines the restarted run prints again. */
export function runRestartedText(attempt: number, reason: unknown): string {
  return `run restarted: attempt ${attempt}, because ${runRestartWhy(reason)}; the lines below are printed again from the start`;
}
