import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TPU_EXECUTOR_KINDS, type TpuExecutorChoice } from '../activities/tpu/tpu-spec.js';

/** Where dockerode (and the docker CLI) look when DOCKER_HOST is not set. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export interface TpuExecutorSetting {
  kind: TpuExecutorChoice;
  /** Why this one, for `tevis status` and the failure of a worker without one. */
  reason: string;
  /** The bwrap to run, when kind is sandbox. */
  bwrapPath?: string;
}

/** An executable `name` on PATH, or null. */
function findOnPath(name: string, path: string | undefined): string | null {
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/**
 * TEVIS_TPU_EXECUTOR, or the default: `docker` where an engine is configured (DOCKER_HOST set, or
 * the default socket exists), else `sandbox` where bubblewrap is installed, else `none`. Decided
 * once, from configuration only: whether the engine answers right now never changes the choice
 * (an engine that stops answering makes nanocycles wait or fail, not run somewhere weaker).
 */
export function resolveTpuExecutor(env: NodeJS.ProcessEnv): TpuExecutorSetting {
  const wanted = env.TEVIS_TPU_EXECUTOR?.trim();
  const bwrapPath = findOnPath('bwrap', env.PATH ?? process.env.PATH);
  if (wanted) {
    if (!(TPU_EXECUTOR_KINDS as readonly string[]).includes(wanted)) {
      throw new Error(
        `TEVIS_TPU_EXECUTOR must be one of ${TPU_EXECUTOR_KINDS.join(', ')}, got "${wanted}" (TPUs never run unsandboxed)`,
      );
    }
    const kind = wanted as TpuExecutorChoice;
    if (kind === 'sandbox') {
      return bwrapPath
        ? { kind, reason: 'TEVIS_TPU_EXECUTOR=sandbox', bwrapPath }
        : {
            kind: 'none',
            reason: 'TEVIS_TPU_EXECUTOR=sandbox, but bwrap is not installed (apt-get install bubblewrap)',
          };
    }
    return { kind, reason: `TEVIS_TPU_EXECUTOR=${kind}` };
  }
  if (env.DOCKER_HOST) return { kind: 'docker', reason: 'DOCKER_HOST is set' };
  if (existsSync(DEFAULT_DOCKER_SOCKET)) return { kind: 'docker', reason: `${DEFAULT_DOCKER_SOCKET} exists` };
  if (bwrapPath)
    return { kind: 'sandbox', reason: `no container engine configured; bwrap at ${bwrapPath}`, bwrapPath };
  return {
    kind: 'none',
    reason: 'no container engine configured (DOCKER_HOST, /var/run/docker.sock) and bwrap is not installed',
  };
}
