import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ApiClient } from '../../test/support/api-client.js';
import { ensureBubblewrap } from '../../test/support/bubblewrap.js';
import { type DockerEngine, startDockerEngine } from '../../test/support/docker-engine.js';
import { freeLoopbackPort } from '../../test/support/free-port.js';
import { waitFor } from '../../test/support/poll.js';
import { type PostgresCluster, startPostgresCluster } from '../../test/support/postgres-cluster.js';
import { cleanEnv, type ManagedProcess, ProcessSet } from '../../test/support/processes.js';
import { waitForHealth } from '../../test/support/stack-probes.js';
import type { ChaosOptions } from './options.js';
import { SupervisedProcess } from './supervised-process.js';
import { type RestartableTemporal, startRestartableTemporal } from './temporal-server.js';
import { workerHost } from './worker-hosts.js';

export const WORKERS = 2;

/**
 * The chaos run's own stack, split as on different hosts (as bench/recovery.ts and
 * test/support/split-stack.ts have it): Postgres, a Temporal dev server on a file, the API as
 * its own `tevis api` process, two `tevis worker` processes, and the TPU executor. Loopback
 * only; everything under `dir`.
 */
export interface ChaosStack {
  dir: string;
  postgres: PostgresCluster;
  temporal: RestartableTemporal;
  api: SupervisedProcess;
  workers: SupervisedProcess[];
  http: ApiClient;
  /** The image a project names on the docker executor; none on the sandbox. */
  image: string | undefined;
  stop(): Promise<void>;
}

const workerPolls = (proc: ManagedProcess) =>
  waitFor(`${proc.name} to poll`, () => proc.output().includes('worker polling task queue'), {
    alive: [proc],
    timeoutMs: 180_000,
  }).then(() => {});

export async function startChaosStack(root: string, options: ChaosOptions): Promise<ChaosStack> {
  // Not mkdtemp: its 0700 would keep the `postgres` user (Postgres as root) out of the cluster inside.
  const dir = join(root, '.cache', 'tevis-chaos', `run-${options.seed}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  const processes = new ProcessSet();
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => {});
    await processes.killAll();
  };
  try {
    let engine: DockerEngine | undefined;
    const executorEnv: Record<string, string> = { TEVIS_TPU_EXECUTOR: options.executor };
    if (options.executor === 'docker') {
      engine = await startDockerEngine();
      stops.push(() => engine!.stop());
      executorEnv.DOCKER_HOST = engine.dockerHost;
    } else {
      const bwrap = await ensureBubblewrap();
      executorEnv.PATH = `${dirname(bwrap)}:${process.env.PATH ?? '/usr/bin:/bin'}`;
    }
    const postgres = await startPostgresCluster({ baseDir: dir });
    stops.push(() => postgres.stop());
    const temporal = await startRestartableTemporal(root, dir);
    stops.push(() => temporal.stop());

    // API and workers live in different homes, as on different hosts: they share the codec key.
    const shared = {
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEVIS_TASK_QUEUE: `tevis-chaos-${randomBytes(4).toString('hex')}`,
      TEVIS_API_TOKEN: randomBytes(24).toString('base64url'),
      TEVIS_TEMPORAL_CODEC_KEY: randomBytes(32).toString('base64'),
    };
    const port = await freeLoopbackPort();
    const url = `http://127.0.0.1:${port}`;
    const api = new SupervisedProcess(
      processes,
      'api',
      'api',
      cleanEnv({ ...shared, TEVIS_HOME: join(dir, 'api-home'), TEVIS_PORT: String(port) }),
      (proc) => waitForHealth(url, proc),
    );
    const workers = Array.from({ length: WORKERS }, (_, i) => {
      const host = workerHost(dir, i);
      const env = cleanEnv({ ...shared, ...executorEnv, ...host.env, TEVIS_HOME: host.home });
      return new SupervisedProcess(processes, host.name, 'worker', env, workerPolls);
    });
    stops.push(() => Promise.all([api, ...workers].map((p) => p.retire())));
    await Promise.all([api.start(), ...workers.map((w) => w.start())]);
    return {
      dir,
      postgres,
      temporal,
      api,
      workers,
      http: new ApiClient(url, shared.TEVIS_API_TOKEN),
      image: engine?.image,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
