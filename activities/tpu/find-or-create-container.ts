import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { statusOf } from './engine-error-status.js';
import { tpuContainerSpec } from './tpu-container-spec.js';
import type { TpuRunInput } from './tpu-spec.js';
import { imageMissing, isImageMissing } from './tpu-image-present.js';
import { chownTree, type TpuIdentity, workerOwner } from './worktree-owner.js';

/**
 * The existing container of this run, or a new one; a concurrent attempt that created it first
 * wins. `created`: this attempt made it (so there was nothing to re-attach to).
 *
 * Creating is tried first, the name settling it: on a first attempt (nearly every run) that is
 * the one engine call, and a retry that finds the run's container learns so from the 409.
 */
export async function findOrCreate(
  docker: Docker,
  input: TpuRunInput,
  name: string,
  identity: TpuIdentity,
): Promise<{ container: Docker.Container; created: boolean }> {
  // Also before a 409: the worktree of a run's container is the identity's already, so this
  // changes nothing there.
  if (identity.handOver) await chownTree(input.worktreePath, identity.uid, identity.gid);
  try {
    return {
      container: await docker.createContainer(tpuContainerSpec(input, name, identity)),
      created: true,
    };
  } catch (error) {
    if (isImageMissing(error)) {
      // Nothing was created, so nothing will run in the worktree: it goes back to the worker.
      if (identity.handOver) await chownTree(input.worktreePath, workerOwner().uid, workerOwner().gid);
      throw imageMissing(input.image);
    }
    if (statusOf(error) !== 409) throw error;
  }
  // 409: the run's container exists (an earlier attempt's, or a concurrent one's). The engine
  // reserves a name before the container exists, so for a moment the name is taken and yet
  // nothing answers to it.
  const other = docker.getContainer(name);
  for (let waited = 0; ; waited += 100) {
    try {
      await other.inspect();
      return { container: other, created: false };
    } catch (error) {
      if (statusOf(error) !== 404 || waited >= 10_000) throw error;
      await sleep(100);
    }
  }
}
