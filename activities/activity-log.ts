import { Context } from '@temporalio/activity';
import type { Logger } from '@temporalio/common';

const NOWHERE: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/**
 * The running activity's logger: its lines carry the activity's `workflowId`, from which the
 * worker's log derives the session and nanocycle ids (runtime/temporal-logger.ts). Outside an
 * activity (the TPU tests and benchmarks call executors directly) nothing is logged.
 */
export function activityLog(): Logger {
  try {
    return Context.current().log;
  } catch {
    return NOWHERE;
  }
}
