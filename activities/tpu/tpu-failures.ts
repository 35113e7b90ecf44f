import { ApplicationFailure } from '@temporalio/common';
import { TPU_FAILURE_TYPES } from '../../contracts/tpu-failures.js';

/**
 * The failures a TPU run ends with when it did not reach an exit code of its own. Each message
 * starts with its type, because the nanocycle's record keeps only the message, and names the fix.
 */

export function executorMissing(why: string): ApplicationFailure {
  const type = TPU_FAILURE_TYPES.executorMissing;
  return ApplicationFailure.nonRetryable(
    `${type}: this worker has no TPU executor (${why}). Configure one and restart the worker: ` +
      'TEVIS_TPU_EXECUTOR=docker with a container engine (DOCKER_HOST, or the default socket), or ' +
      'TEVIS_TPU_EXECUTOR=sandbox with bubblewrap installed (apt-get install bubblewrap).',
    type,
  );
}

export function engineUnreachable(where: string, cause: string): ApplicationFailure {
  const type = TPU_FAILURE_TYPES.engineUnreachable;
  // Retryable: the engine may be back by the next attempt; Temporal's backoff is the waiting.
  return ApplicationFailure.retryable(
    `${type}: the container engine at ${where} does not answer (${cause}). Start it (e.g. systemctl start docker), ` +
      'point DOCKER_HOST at one that runs, or configure TEVIS_TPU_EXECUTOR=sandbox and restart the worker. Nothing ran elsewhere.',
    type,
  );
}

export function executorMismatch(previous: string, mine: string): ApplicationFailure {
  const type = TPU_FAILURE_TYPES.executorMismatch;
  return ApplicationFailure.retryable(
    `${type}: the run's earlier attempt ran on the ${previous} executor and this worker has ${mine}; ` +
      'it is not started a second time elsewhere. Give all workers of a task queue the same TEVIS_TPU_EXECUTOR.',
    type,
  );
}

export function executorNotAllowed(required: string, mine: string): ApplicationFailure {
  const type = TPU_FAILURE_TYPES.executorNotAllowed;
  return ApplicationFailure.nonRetryable(
    `${type}: the project requires the ${required} executor and this worker runs TPUs on ${mine}. ` +
      `Start workers with TEVIS_TPU_EXECUTOR=${required}, or let the project use any (\`tevis project update <project> --executor any\`).`,
    type,
  );
}

export function diskLimitExceeded(limitMb: number, what: string): ApplicationFailure {
  const type = TPU_FAILURE_TYPES.diskLimit;
  return ApplicationFailure.nonRetryable(
    `${type}: the TPU was stopped: ${what}, over the project's disk limit of ${limitMb} MB. ` +
      'Raise it with `tevis project update <project> --disk <mb>` if the work needs more.',
    type,
    { limitMb },
  );
}

export function networkUnsupported(): ApplicationFailure {
  const type = TPU_FAILURE_TYPES.networkUnsupported;
  return ApplicationFailure.nonRetryable(
    `${type}: the project allows network, and the sandbox executor can only give a TPU the host's own network ` +
      '(loopback services included). Use TEVIS_TPU_EXECUTOR=docker for it, or `tevis project update <project> --no-network`.',
    type,
  );
}
