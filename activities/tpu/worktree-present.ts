import { stat } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import { TPU_FAILURE_TYPES } from '../../contracts/tpu-failures.js';

/**
 * Checked before anything is made, so a missing worktree is its own clear failure: a bind mount of
 * a missing path would make the container engine create an empty directory, owned by root.
 */
export async function assertWorktree(path: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info?.isDirectory()) {
    throw ApplicationFailure.nonRetryable(
      `the nanocycle's worktree ${path} does not exist on this worker`,
      TPU_FAILURE_TYPES.worktreeMissing,
      { path },
    );
  }
}
