import { ApplicationFailure } from '@temporalio/common';
import Docker from 'dockerode';
import type { Database } from '../../db/database.js';
import { setNanocycleExecutor } from '../../db/nanocycles-store.js';
import { currentTpuContext } from './activity-context.js';
import { runInDocker } from './docker-executor.js';
import { runLocally } from './local-executor.js';
import type { TpuExecutorKind, TpuRunInput, TpuRunResult } from './tpu-spec.js';

export interface TpuDeps {
  db: Database;
  /** The engine; by default the one at DOCKER_HOST (or the local default socket). */
  docker?: Docker;
  /** 'auto' (default): docker when its engine answers, else a local process. */
  executor?: 'auto' | TpuExecutorKind;
  /** How long the engine gets to answer a ping before the run goes local. */
  probeTimeoutMs?: number;
}

const DEFAULT_PROBE_MS = 2000;

/** Whether the engine answers at all within `ms`; any error (no socket, refused, timeout) is no. */
export async function engineReachable(docker: Docker, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([docker.ping().then(() => true as const), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one TPU run on the engine when it is reachable, else as a local process; the result says
 * which. A retried attempt keeps the executor of the attempt before it (from the heartbeat): a run
 * whose container may still be running must never also start locally because the engine
 * hiccupped, so then it fails and Temporal tries again.
 */
export async function runTpu(deps: TpuDeps, input: TpuRunInput): Promise<TpuRunResult> {
  const docker = deps.docker ?? new Docker();
  const previous = currentTpuContext().lastHeartbeat?.executor;
  const wanted = previous ?? deps.executor ?? 'auto';
  const local = async () => {
    await setNanocycleExecutor(deps.db, input.sessionId, input.nanocycleId, 'local');
    return runLocally(deps.db, input);
  };
  if (wanted === 'local') return local();
  const reachable = await engineReachable(docker, deps.probeTimeoutMs ?? DEFAULT_PROBE_MS);
  if (reachable) {
    await setNanocycleExecutor(deps.db, input.sessionId, input.nanocycleId, 'docker');
    return runInDocker(docker, deps.db, input);
  }
  if (wanted === 'docker') {
    // Retryable: the engine may be back by the next attempt.
    throw ApplicationFailure.retryable(
      previous ? 'the container engine this run started on does not answer; retrying' : 'the container engine does not answer (DOCKER_HOST)',
      'tpu-engine-unreachable',
    );
  }
  return local();
}
