import Docker from 'dockerode';
import type { Database } from '../../db/database.js';
import { DEFAULT_DOCKER_SOCKET, type TpuExecutorSetting } from '../../runtime/tpu-executor-setting.js';
import { DockerTpuExecutor } from './docker-executor.js';
import { NoTpuExecutor } from './no-executor.js';
import { SandboxTpuExecutor } from './sandbox-executor.js';
import type { TpuExecutor } from './tpu-executor.js';

/** A dockerode client for DOCKER_HOST's value (unix://path, tcp://host:port), or the default socket. */
export function dockerClient(dockerHost: string | undefined): Docker {
  if (!dockerHost) return new Docker({ socketPath: DEFAULT_DOCKER_SOCKET });
  if (dockerHost.startsWith('unix://')) return new Docker({ socketPath: dockerHost.slice('unix://'.length) });
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return new Docker({
    host: url.hostname,
    port: Number(url.port || 2375),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
  });
}

/** The worker's one executor, made once at its start from the resolved setting (runtime/tpu-executor-setting.ts). */
export function chooseTpuExecutor(
  setting: TpuExecutorSetting,
  dockerHost: string | undefined,
  db: Database,
): TpuExecutor {
  switch (setting.kind) {
    case 'docker':
      return new DockerTpuExecutor(db, dockerClient(dockerHost), dockerHost ?? DEFAULT_DOCKER_SOCKET);
    case 'sandbox':
      if (setting.bwrapPath) return new SandboxTpuExecutor(db, setting.bwrapPath);
      return new NoTpuExecutor(setting.reason);
    case 'none':
      return new NoTpuExecutor(setting.reason);
  }
}
