/**
 * Why a TPU run started again from the start on a later attempt of its activity, and the words
 * the output, the timeline, the CLI and Mission Control use for it (one wording everywhere).
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
  return typeof reason === 'string' && reason in WHY ? WHY[reason as RunRestartReason] : `of ${String(reason)}`;
}

/** The `tevis` line in the output, just before the lines the restarted run prints again. */
export function runRestartedText(attempt: number, reason: unknown): string {
  return `run restarted: attempt ${attempt}, because ${runRestartWhy(reason)}; the lines below are printed again from the start`;
}
