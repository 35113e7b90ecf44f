// @ts-check
/**
 * The words people read for a nanocycle's status, in the product's vocabulary where it has one
 * (`in_progress`, `completed`), for the CLI and Mission Control alike: plain JavaScript so the
 * page loads this very file (the API serves it as /web/nanocycle-status-words.js). The API and
 * `--json` keep the machine values (`running`, `completed`, `merged`, …).
 */

/** @type {Readonly<Record<string, string>>} */
const WORDS = Object.freeze({
  queued: 'queued',
  running: 'in_progress',
  awaiting_approval: 'awaiting_approval',
  // The TPU finished; what it made waits for its merge (`completed` when it changed nothing).
  completed: 'awaiting_merge',
  // Merged into the session branch: done, as the product says.
  merged: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  rejected: 'rejected',
  conflict: 'conflict',
});

/**
 * @param {string} status  the machine status
 * @param {boolean} [hasCommit]  for `completed`: whether the run committed anything to merge
 * @returns {string}
 */
export function nanocycleStatusWord(status, hasCommit = true) {
  if (status === 'completed' && !hasCommit) return 'completed';
  return WORDS[status] ?? status;
}
