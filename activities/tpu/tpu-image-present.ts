import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_EXECUTION_SETTINGS } from '../../contracts/execution-settings.js';
import { TPU_FAILURE_TYPES } from '../../contracts/tpu-failures.js';
import { statusOf } from './engine-error-status.js';

const DEFAULT_TPU_IMAGE = DEFAULT_EXECUTION_SETTINGS.image;

/**
 * Whether the engine refused to create a container because its image is not there. The image is
 * not inspected beforehand (one engine call less on every start): the create itself says so, with
 * a 404 and nothing created.
 */
export function isImageMissing(error: unknown): boolean {
  return statusOf(error) === 404 && /no such image/i.test((error as Error).message ?? '');
}

/** A missing image is its own clear, non-retryable failure, not a create error. */
export function imageMissing(image: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `TPU image "${image}" is not on the container engine. ` +
      (image === DEFAULT_TPU_IMAGE
        ? `Build it with \`tevis tpu build-image\`, `
        : `Build it there (docker build -t ${image} <dir with a Dockerfile>), pull it (docker pull ${image}), `) +
      `or point the project at another one (tevis project update <project> --image <image>).`,
    TPU_FAILURE_TYPES.imageMissing,
    { image },
  );
}
