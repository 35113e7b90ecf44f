import { join } from 'node:path';

/** Where a chaos worker process lives: its host's name and home. */
export interface WorkerHost {
  name: string;
  home: string;
  /** Extra environment for the worker: the host it runs as. */
  env: Record<string, string>;
}

/**
 * The one choice of each worker's home and host name: each worker is a worker host of its own,
 * with its own TEVIS_HOME (contracts/worker-hosts.ts), as on separate machines. A session's
 * workspace steps then run on the host that cloned it, which is what a host lost for good tests.
 */
export function workerHost(dir: string, index: number): WorkerHost {
  const name = `host-${index + 1}`;
  return { name, home: join(dir, `${name}-home`), env: { TEVIS_WORKER_HOST: name } };
}
