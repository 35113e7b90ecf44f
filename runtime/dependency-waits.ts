import type { TevisConfig } from './config.js';
import { engineDependency, postgresDependency, temporalDependency } from './service-dependencies.js';
import { probeTemporalFrontend } from './tcp-probe.js';
import { loadTemporalTls } from './temporal-tls.js';
import { type WaitOptions, waitForDependency } from './wait-for-dependency.js';

export const WAIT_SETTING = 'TEVIS_WAIT_FOR_DEPENDENCIES_SECONDS';

/** TEVIS_WAIT_FOR_DEPENDENCIES_SECONDS: unset waits forever, 0 tries once (the old behaviour). */
export function waitBoundSeconds(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env[WAIT_SETTING]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${WAIT_SETTING} must be a number of seconds (0 or more), got "${raw}"`);
  }
  return value;
}

/** How long one try may hang before it counts as "no answer yet". */
const PROBE_TIMEOUT_MS = 3000;

/**
 * The waits of `tevis worker` and `tevis api`, each wrapping the real start of that part where it
 * can be tried again, so what answers the wait is what the process then uses. Settings are checked
 * here, before any wait.
 */
export function dependencyWaits(
  config: Pick<TevisConfig, 'databaseUrl' | 'dockerHost' | 'temporalTls'>,
  temporalAddress: string,
  options: WaitOptions,
) {
  const postgres = postgresDependency(config.databaseUrl ?? '');
  const temporal = temporalDependency(temporalAddress);
  return {
    postgres: <T>(open: () => Promise<T>) => waitForDependency(postgres, open, options),
    temporal: <T>(connect: () => Promise<T>) =>
      waitForDependency(
        temporal,
        async () => {
          // First whether anything listens, for a reason people can read; then the real connection.
          await probeTemporalFrontend(
            temporalAddress,
            PROBE_TIMEOUT_MS,
            await loadTemporalTls(config.temporalTls),
          );
          return connect();
        },
        options,
      ),
    /** Only for the docker executor: a worker without an engine would fail every nanocycle. */
    async engine(): Promise<void> {
      const { dockerClient } = await import('../activities/tpu/choose-executor.js');
      const { pingEngine } = await import('../activities/tpu/ping-engine.js');
      const { DEFAULT_DOCKER_SOCKET } = await import('./tpu-executor-setting.js');
      const docker = dockerClient(config.dockerHost);
      await waitForDependency(
        engineDependency(config.dockerHost ?? DEFAULT_DOCKER_SOCKET),
        async () => {
          const why = await pingEngine(docker, PROBE_TIMEOUT_MS);
          if (why) throw new Error(why);
        },
        options,
      );
    },
  };
}
