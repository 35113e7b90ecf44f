import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXECUTION_SETTINGS,
  applyExecutionInput,
  pushPolicyOf,
  pushesNanocycleBranches,
} from '../../contracts/execution-settings.js';
import { DEFAULT_PROJECT_SETTINGS } from '../../contracts/project.js';
import { toProject } from '../../db/projects-store.js';

const row = (execution: Record<string, unknown>) => ({
  name: 'p',
  repository: '/r.git',
  defaultBranch: 'main',
  settings: { ...DEFAULT_PROJECT_SETTINGS, execution } as never,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

describe('push policy', () => {
  it('defaults to pushing nanocycle branches, for new projects and for stored settings without one', () => {
    expect(DEFAULT_EXECUTION_SETTINGS.push).toBe('nanocycle-branches');
    const { push: _push, ...withoutPush } = DEFAULT_EXECUTION_SETTINGS;
    expect(toProject(row(withoutPush)).settings.execution.push).toBe('nanocycle-branches');
    expect(pushPolicyOf({})).toBe('nanocycle-branches');
  });

  it('keeps a stored policy, `never` included, until it is changed', () => {
    const never = { ...DEFAULT_EXECUTION_SETTINGS, push: 'never' as const };
    expect(toProject(row(never)).settings.execution.push).toBe('never');
    expect(applyExecutionInput(never, { tpuLimit: 3 }).push).toBe('never');
    expect(applyExecutionInput(never, { push: 'on-end' }).push).toBe('on-end');
  });

  it('sends nanocycle branches under every policy but never', () => {
    expect(
      ['never', 'nanocycle-branches', 'on-merge', 'on-end'].map((p) => pushesNanocycleBranches(p as never)),
    ).toEqual([false, true, true, true]);
  });
});
