import type Docker from 'dockerode';
import { nanocycleRunsAreOver } from '../../contracts/nanocycle-statuses.js';
import type { Database } from '../../db/database.js';
import { findNanocycle } from '../../db/nanocycles-store.js';
import { removeTpuContainer } from './remove-tpu-container.js';

/**
 * Run at worker start: removes the TPU containers on this worker's engine whose nanocycle's runs are
 * over in the record (`RUNS_OVER_NANOCYCLE_STATUSES`). They are what a crash, or a cancel or a session end racing a run, left behind:
 * the workflow removes a container once it has the run's result, and a worker that died in
 * between never got to. A container of a nanocycle that is not final (a retry may re-attach to it)
 * or that this record does not know (another Tevis on the same engine) is left alone.
 */
export async function sweepTpuContainers(docker: Docker, db: Database): Promise<{ removed: string[] }> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: ['tevis.session', 'tevis.nanocycle'] },
  });
  const removed: string[] = [];
  for (const container of containers) {
    const sessionId = container.Labels['tevis.session'];
    const nanocycleId = container.Labels['tevis.nanocycle'];
    if (!sessionId || !nanocycleId) continue;
    const row = await findNanocycle(db, sessionId, nanocycleId);
    if (!row || !nanocycleRunsAreOver(row.status)) continue;
    const name = container.Names[0]?.replace(/^\//, '') ?? container.Id;
    if ((await removeTpuContainer(docker, container.Id)).removed) removed.push(name);
  }
  return { removed };
}
