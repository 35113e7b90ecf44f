import {
  ActivityFailure,
  type ActivityOptions,
  proxyActivities,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import { DEFAULT_HOST_LOST_SECONDS, hostTaskQueue } from '../contracts/worker-hosts.js';

/** Where a session's workspace is: the host (absent in sessions from before hosts) and how patient to be. */
export interface WorkspaceWhereabouts {
  workspaceHost?: string | null;
  execution?: { hostLostSeconds?: number } | undefined;
}

/**
 * The workspace's activities on the host that holds it (Temporal's worker-specific task queues):
 * its clone, worktrees, TPUs, merges and pushes must run where its files are. Sessions from
 * before hosts have none and keep the shared queue, as their histories did. A host that serves
 * none of it for `hostLostSeconds` fails the step with a schedule-to-start timeout (isHostLost).
 */
export function workspaceActivities(where: WorkspaceWhereabouts, options: ActivityOptions) {
  if (!where.workspaceHost) return proxyActivities<SessionActivities>(options);
  const seconds = where.execution?.hostLostSeconds ?? DEFAULT_HOST_LOST_SECONDS;
  return proxyActivities<SessionActivities>({
    ...options,
    taskQueue: hostTaskQueue(workflowInfo().taskQueue, where.workspaceHost),
    scheduleToStartTimeout: `${seconds} seconds`,
  });
}

/** True when a step failed because no worker of the workspace's host picked it up in time. */
export function isHostLost(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof TimeoutFailure &&
    error.cause.timeoutType === 'SCHEDULE_TO_START'
  );
}

export type WorkspaceActivities = ReturnType<typeof workspaceActivities>;

/**
 * The session's side of its workspace host: steps run there, and a host found lost is left for
 * another once (however many steps found it gone), the workspace restored there by `moveFrom`.
 */
export class WorkspaceHost {
  private moving: Promise<void> | null = null;

  constructor(
    private readonly where: WorkspaceWhereabouts,
    private readonly restoreElsewhere: (lost: string) => Promise<void>,
  ) {}

  /** Runs `step` with the workspace's activities; on a lost host, moves and runs it once more there. */
  async run<T>(options: ActivityOptions, step: (acts: WorkspaceActivities) => Promise<T>): Promise<T> {
    const host = this.where.workspaceHost;
    try {
      return await step(workspaceActivities(this.where, options));
    } catch (error) {
      if (!host || !isHostLost(error)) throw error;
      await this.moveFrom(host);
      return step(workspaceActivities(this.where, options));
    }
  }

  /** Moves the workspace off `lost`, unless that was done already. */
  moveFrom(lost: string): Promise<void> {
    if (this.where.workspaceHost !== lost) return this.moving ?? Promise.resolve();
    this.moving ??= this.restoreElsewhere(lost).finally(() => {
      this.moving = null;
    });
    return this.moving;
  }
}
