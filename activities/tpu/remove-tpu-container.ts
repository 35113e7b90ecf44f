import type Docker from 'dockerode';
import { statusOf } from './engine-error-status.js';

/** Seconds a running TPU gets to end on SIGTERM before SIGKILL: an agent may want to tidy up. */
const STOP_GRACE_SECONDS = 2;

/**
 * Stops and removes a TPU container by name. Idempotent: a container that is already gone (or
 * being removed by someone else) is success. Kept apart from the run, never `AutoRemove`, so the
 * container (and its exit code and output) outlives a crashed attempt until the workflow has the
 * result; the workflow calls this after recording it, and a cancelled run calls it itself.
 */
export async function removeTpuContainer(docker: Docker, name: string): Promise<{ removed: boolean }> {
  const container = docker.getContainer(name);
  try {
    await container.stop({ t: STOP_GRACE_SECONDS });
  } catch (error) {
    // 304: not running; 404: no such container. Anything else: let `remove` decide.
    if (statusOf(error) === 404) return { removed: false };
  }
  try {
    await container.remove({ force: true, v: true });
    return { removed: true };
  } catch (error) {
    const status = statusOf(error);
    if (status === 404) return { removed: false };
    // 409 "removal already in progress": someone else is removing it.
    if (status === 409) return { removed: true };
    throw error;
  }
}
