/**
 * The failure types a TPU run ends with when it did not get to an exit code of its own. They are
 * Temporal ApplicationFailure types (not API problems: the API never runs a TPU); the nanocycle's
 * record carries the message, which names the type and the fix. Pure, so workflows can import it.
 */
export const TPU_FAILURE_TYPES = {
  /** The worker has no executor (TEVIS_TPU_EXECUTOR=none, or neither an engine nor bubblewrap). Not retried. */
  executorMissing: 'tpu-executor-missing',
  /** The configured container engine does not answer. Retried with backoff, then the nanocycle fails. */
  engineUnreachable: 'tpu-engine-unreachable',
  /** A retry reached a worker with another executor than the attempt before it. Retried (another worker may match). */
  executorMismatch: 'tpu-executor-mismatch',
  /** The project requires another executor than the worker's. Not retried: the workers of a queue share one. */
  executorNotAllowed: 'tpu-executor-not-allowed',
  /** The TPU wrote more than the project's disk limit. Not retried: it would write as much again. */
  diskLimit: 'tpu-disk-limit',
  /** The project allows network, which the sandbox cannot give without sharing the host's own. Not retried. */
  networkUnsupported: 'tpu-network-unsupported',
  imageMissing: 'tpu-image-missing',
  worktreeMissing: 'tpu-worktree-missing',
  startFailed: 'tpu-start-failed',
} as const;
