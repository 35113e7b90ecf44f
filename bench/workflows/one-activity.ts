import { proxyActivities } from '@temporalio/workflow';
import type { baselineActivities } from '../baseline-activities.js';

const { nothing } = proxyActivities<typeof baselineActivities>({ startToCloseTimeout: '10 seconds' });

/** The baseline for a workflow start: the workflow's first task and one activity round trip. */
export async function oneActivityWorkflow(): Promise<number> {
  return nothing();
}
