import { join } from 'node:path';

/** Where a chaos worker process lives: its home and the host name it runs as. */
export interface WorkerHost {
  name: string;
  home: string;
  /** Extra environment for the worker (TEVIS_WORKER_HOST once hosts exist). */
  env: Record<string, string>;
}

/**
 * The one choice of each worker's home and host name. Today every worker must share one
 * TEVIS_HOME (a session's activities may run on any worker and need its workspace), and there is
 * no TEVIS_WORKER_HOST yet.
 */
// TODO(issue 13 item 1, worker hosts): give each worker its own home, join(dir, `${name}-home`),
// and env { TEVIS_WORKER_HOST: name }; then add the 'host-lost' fault (fault-plan.ts, faults.ts).
export function workerHost(dir: string, index: number): WorkerHost {
  return { name: `worker-${index + 1}`, home: join(dir, 'worker-home'), env: {} };
}
