import { ApplicationFailure } from '@temporalio/common';
import type Docker from 'dockerode';
import { TPU_FAILURE_TYPES } from '../../contracts/tpu-failures.js';
import { statusOf } from './engine-error-status.js';
import { removeTpuContainer } from './remove-tpu-container.js';
import type { TpuRunInput } from './tpu-spec.js';

/**
 * The container's state, after starting it if nobody has: created by this attempt, or by one that
 * crashed before starting it. A command the engine cannot run at all removes the container and
 * fails for good. `created`: this attempt just made it, so it is known to be waiting to start (no
 * engine call to ask).
 */
export async function startIfCreated(
  docker: Docker,
  container: Docker.Container,
  name: string,
  input: TpuRunInput,
  giveBack: () => Promise<void>,
  created: boolean,
): Promise<Docker.ContainerInspectInfo['State']> {
  let state = created ? null : (await container.inspect()).State;
  if (state === null || state.Status === 'created') {
    // The worktree is the identity's already: findOrCreate hands it over on every attempt, also
    // one that finds a container a crashed attempt made but did not start.
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
