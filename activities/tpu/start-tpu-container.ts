import { ApplicationFailure } from '@temporalio/common';
import type Docker from 'dockerode';
import { TPU_FAILURE_TYPES } from '../../contracts/tpu-failures.js';
import { statusOf } from './engine-error-status.js';
import { removeTpuContainer } from './remove-tpu-container.js';
import type { TpuRunInput } from './tpu-spec.js';
import { chownTree, type TpuIdentity } from './worktree-owner.js';

/**
 * The container's state, after starting it if nobody has: created by this attempt, or by one that
 * crashed before starting it. A command the engine cannot run at all removes the container and
 * fails for good.
 */
export async function startIfCreated(
  docker: Docker,
  container: Docker.Container,
  name: string,
  input: TpuRunInput,
  identity: TpuIdentity,
  giveBack: () => Promise<void>,
): Promise<Docker.ContainerInspectInfo['State']> {
  let state = (await container.inspect()).State;
  if (state.Status === 'created') {
    // Hand the worktree over again: a crashed attempt may have made the container but not yet chowned.
    if (identity.handOver) await chownTree(input.worktreePath, identity.uid, identity.gid);
    const startError = await container.start().then(
      () => null,
      // 304: a concurrent attempt started it first.
      (error: unknown) => (statusOf(error) === 304 ? null : error),
    );
    state = (await container.inspect()).State;
    if (startError) {
      // The engine could not run the command at all (no such program, …): the same every time.
      if (state.Error || statusOf(startError) === 400) {
        // Never started, never will: nobody else would remove it.
        await removeTpuContainer(docker, name);
        await giveBack();
        throw ApplicationFailure.nonRetryable(
          `the TPU command could not start in ${input.image}: ${state.Error || (startError as Error).message}`,
          TPU_FAILURE_TYPES.startFailed,
          { container: name },
        );
      }
      throw startError;
    }
  }
  return state;
}
