import { z } from 'zod';

/**
 * A worker host: one `TEVIS_HOME` and the workers that serve it. A session's workspace lives on
 * one host; its workspace activities go to that host's own task queue (Temporal's
 * worker-specific task queues), everything else to the shared one.
 */
export const WORKER_HOST_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const WorkerHostName = z
  .string()
  .regex(
    WORKER_HOST_PATTERN,
    'a worker host name is 1-63 of A-Z a-z 0-9 . _ -, starting with a letter or digit',
  );

/** The task queue of one host's workspace activities, beside the shared queue it belongs to. */
export function hostTaskQueue(sharedQueue: string, host: string): string {
  return `${sharedQueue}@${host}`;
}

/** How long a host's queue may go unserved before its sessions move to another host. */
export const DEFAULT_HOST_LOST_SECONDS = 120;

export const WorkerHostStatus = z
  .object({
    name: z.string(),
    /** Workers polling the host's task queue now; 0 means the host is down (or gone). */
    pollers: z.number().int().nullable(),
    /** Open sessions whose workspace is on this host. */
    sessions: z.array(z.string()),
    lastStartedAt: z.string().nullable(),
  })
  .meta({ id: 'WorkerHostStatus' });
export type WorkerHostStatus = z.infer<typeof WorkerHostStatus>;
