import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { statusOf } from './engine-error-status.js';
import { tpuContainerSpec } from './tpu-container-spec.js';
import type { TpuRunInput } from './tpu-spec.js';
import { chownTree, type TpuIdentity } from './worktree-owner.js';

/**
 * The existing container of this run, or a new one; a concurrent attempt that created it first
 * wins. `created`: this attempt made it (so there was nothing to re-attach to).
 */
export async function findOrCreate(
  docker: Docker,
  input: TpuRunInput,
  name: string,
  identity: TpuIdentity,
): Promise<{ container: Docker.Container; created: boolean }> {
  const existing = docker.getContainer(name);
  try {
    await existing.inspect();
    return { container: existing, created: false };
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  if (identity.handOver) await chownTree(input.worktreePath, identity.uid, identity.gid);
  try {
    return {
      container: await docker.createContainer(tpuContainerSpec(input, name, identity)),
      created: true,
    };
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
  }
  // 409: a concurrent attempt holds the name. The engine reserves a name before the container
  // exists, so for a moment the name is taken and yet nothing answers to it.
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
