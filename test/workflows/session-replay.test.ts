import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { historyFromJSON } from '../support/history-json.js';
import { REPO_ROOT } from '../support/repo-paths.js';
import { bundleSessionWorkflows } from '../support/session-testbed.js';
import { quietTemporalRuntime } from '../support/temporal-runtime.js';

/**
 * Determinism: every recorded history of the session workflow and of the nanocycle child workflows
 * it starts (test/workflows/histories, made by record-histories.ts) must replay against the
 * workflow code as it is now (workflows/index.ts registers both). A failure here means a change
 * would break sessions or nanocycles that are running: use `patched()` instead (see the README there).
 */

const HISTORIES = join(REPO_ROOT, 'test', 'workflows', 'histories');
const files = readdirSync(HISTORIES)
  .filter((file) => file.endsWith('.json'))
  .sort();

interface Fixture {
  /** The id the workflow ran under; recordings made before it was kept get a made-up one. */
  workflowId?: string;
  events: Array<{
    workflowExecutionStartedEventAttributes?: { workflowType: { name: string } };
    activityTaskScheduledEventAttributes?: { activityType: { name: string } };
  }>;
}
const readHistory = (file: string): Fixture => JSON.parse(readFileSync(join(HISTORIES, file), 'utf8'));
// A session workflow names its children after its own id: replayed under another, the child's
// start would not match the recorded one.
const workflowIdOf = (file: string) =>
  readHistory(file).workflowId ?? `replay-${file.replace(/\.json$/, '')}`;
const workflowTypeOf = (file: string) =>
  readHistory(file).events[0]?.workflowExecutionStartedEventAttributes?.workflowType.name;

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
      [
        'acp-agent',
        'continue-as-new',
        'end-while-starting',
        'failed-clone',
        'inactivity',
        'nanocycle-merge',
        'nanocycle-merge-by',
        'pause-resume-end',
        'paused-inactivity',
        'recover',
        'restore-workspace',
        'review-merge',
        'review-push-on-end',
        'review-push-on-merge',
        'review-reject',
      ].sort(),
    );
    // Continue-as-new is recorded run by run; the chain has at least two hand-overs.
    expect(files.filter((file) => file.startsWith('continue-as-new.run-')).length).toBeGreaterThanOrEqual(3);
    // The nanocycle lifecycle is recorded from both sides: the session and its child.
    expect(workflowTypeOf('nanocycle-merge.json')).toBe('sessionWorkflow');
    expect(workflowTypeOf('nanocycle-merge.nc-001.json')).toBe('nanocycleWorkflow');
    // So is the ACP agent's: its child waited for the permission request and answered it.
    expect(workflowTypeOf('acp-agent.nc-001.json')).toBe('nanocycleWorkflow');
    expect(workflowIdOf('nanocycle-merge.nc-001.json')).toBe(
      `${workflowIdOf('nanocycle-merge.json')}-NC-001`,
    );
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    expect(['sessionWorkflow', 'nanocycleWorkflow']).toContain(workflowTypeOf(file));
    await Worker.runReplayHistory({ workflowBundle }, historyFromJSON(readHistory(file)), workflowIdOf(file));
  });

  it('would notice nondeterminism (control: a history whose first activity has another name)', async () => {
    const json = readHistory('pause-resume-end.json');
    const scheduled = json.events.find((event) => event.activityTaskScheduledEventAttributes)!;
    scheduled.activityTaskScheduledEventAttributes!.activityType.name = 'someOtherActivity';
    await expect(
      Worker.runReplayHistory({ workflowBundle }, historyFromJSON(json), 'replay-control'),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  it('would notice nondeterminism in a nanocycle (control: its TPU run scheduled as another activity)', async () => {
    const json = readHistory('nanocycle-merge.nc-001.json');
    const tpu = json.events.find(
      (event) => event.activityTaskScheduledEventAttributes?.activityType.name === 'runTpu',
    )!;
    tpu.activityTaskScheduledEventAttributes!.activityType.name = 'someOtherActivity';
    await expect(
      Worker.runReplayHistory(
        { workflowBundle },
        historyFromJSON(json),
        workflowIdOf('nanocycle-merge.nc-001.json'),
      ),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  it('replays a session with nanocycles only under its own id (control: why the fixtures keep it)', async () => {
    await expect(
      Worker.runReplayHistory(
        { workflowBundle },
        historyFromJSON(readHistory('nanocycle-merge.json')),
        'replay-another-id',
      ),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
