import { proxyLocalActivities } from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';

/**
 * The session's short database steps as local activities: run by the worker that runs the
 * workflow task, inside it, so a step costs its query and not a round trip through the
 * server's activity queue. Only steps that are safe to repeat go here: a worker lost in one runs
 * the task again on another, which repeats the step (the record's writes are idempotent by their
 * event keys; confirming, loading the context and checking services only read, or write the
 * same value again). Git clones and TPUs stay ordinary activities: they heartbeat and may run long.
 */
export const localRecords = proxyLocalActivities<SessionActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    maximumAttempts: 20,
  },
});
