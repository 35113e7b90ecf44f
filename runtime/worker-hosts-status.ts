import type { Client } from '@temporalio/client';
import { hostTaskQueue, type WorkerHostStatus } from '../contracts/worker-hosts.js';
import type { Database } from '../db/database.js';
import { listWorkerHosts } from '../db/worker-hosts-store.js';
import { recentPollers } from './service-checks.js';

/**
 * The worker hosts and the open sessions each holds, with the workers polling each host's own
 * queue now (null when Temporal did not say). A host with sessions and no pollers is down; after
 * its sessions' `hostLostSeconds` they move off it as their next step finds it gone.
 */
export async function workerHostsStatus(
  db: Database,
  client: Client,
  taskQueue: string,
): Promise<WorkerHostStatus[]> {
  const hosts = await listWorkerHosts(db);
  return Promise.all(
    hosts.map(async (host) => ({
      name: host.name,
      pollers: await recentPollers(client, hostTaskQueue(taskQueue, host.name), 'activity').catch(() => null),
      sessions: host.sessions,
      lastStartedAt: host.lastStartedAt?.toISOString() ?? null,
    })),
  );
}
