import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { historyFromJSON } from '../support/history-json.js';
import { REPO_ROOT, bundleSessionWorkflows, quietTemporalRuntime } from '../support/session-testbed.js';

/**
 * Determinism: every recorded history of the session workflow (test/workflows/histories, made by
 * record-histories.ts) must replay against the workflow code as it is now. A failure here means
 * a change would break sessions that are running: use `patched()` instead (see the README there).
 */

const HISTORIES = join(REPO_ROOT, 'test', 'workflows', 'histories');
const files = readdirSync(HISTORIES)
  .filter((file) => file.endsWith('.json'))
  .sort();

const readHistory = (file: string): unknown => JSON.parse(readFileSync(join(HISTORIES, file), 'utf8'));
const workflowIdOf = (file: string) => `replay-${file.replace(/\.json$/, '')}`;

let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  quietTemporalRuntime();
  workflowBundle = await bundleSessionWorkflows();
});

describe('session workflow: replay of recorded histories', () => {
  it('has a recording of every lifecycle', () => {
    // `<lifecycle>[.<tag>][.run-N].json`
    const lifecycles = new Set(files.map((file) => file.split('.')[0]));
    expect([...lifecycles].sort()).toEqual(
      ['continue-as-new', 'end-while-starting', 'failed-clone', 'inactivity', 'pause-resume-end', 'paused-inactivity', 'recover'].sort(),
    );
    // Continue-as-new is recorded run by run; the chain has at least two hand-overs.
    expect(files.filter((file) => file.startsWith('continue-as-new.run-')).length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    await Worker.runReplayHistory({ workflowBundle }, historyFromJSON(readHistory(file)), workflowIdOf(file));
  });

  it('would notice nondeterminism (control: a history whose first activity has another name)', async () => {
    const json = readHistory('pause-resume-end.json') as { events: Array<{ activityTaskScheduledEventAttributes?: { activityType: { name: string } } }> };
    const scheduled = json.events.find((event) => event.activityTaskScheduledEventAttributes)!;
    scheduled.activityTaskScheduledEventAttributes!.activityType.name = 'someOtherActivity';
    await expect(Worker.runReplayHistory({ workflowBundle }, historyFromJSON(json), 'replay-control')).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
