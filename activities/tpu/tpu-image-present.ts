import { ApplicationFailure } from '@temporalio/common';
import type Docker from 'dockerode';
import { DEFAULT_EXECUTION_SETTINGS } from '../../contracts/execution-settings.js';
import { TPU_FAILURE_TYPES } from '../../contracts/tpu-failures.js';
import { statusOf } from './engine-error-status.js';

const DEFAULT_TPU_IMAGE = DEFAULT_EXECUTION_SETTINGS.image;

/** The image is checked before anything else, so a missing one is its own clear failure, not a create error. */
export async function assertImage(docker: Docker, image: string): Promise<void> {
  try {
    await docker.getImage(image).inspect();
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    throw ApplicationFailure.nonRetryable(
      `TPU image "${image}" is not on the container engine. ` +
        (image === DEFAULT_TPU_IMAGE
          ? `Build it with \`tevis tpu build-image\`, `
          : `Build it there (docker build -t ${image} <dir with a Dockerfile>), pull it (docker pull ${image}), `) +
        `or point the project at another one (tevis project update <project> --image <image>).`,
      TPU_FAILURE_TYPES.imageMissing,
      { image },
    );
  }
}
