import { describe, expect, it } from 'vitest';
import { DEFAULT_EXECUTION_SETTINGS } from '../../contracts/execution-settings.js';
import type { Project } from '../../contracts/project.js';
import { runRestartedText } from '../../contracts/run-restart.js';
import type { HoldPointRecord, LogLine, NanocycleRecord } from '../../cli/api-client.js';
import {
  describeNanocycleOutcome,
  diffSummary,
  logLineDestination,
  nextStepHint,
  oneLine,
  renderDiff,
  renderHoldTable,
  renderNanocycleQueued,
  renderLogLine,
  renderNanocycleTable,
  renderSessionLogLine,
} from '../../cli/render/nanocycle.js';
import { holdPolicyText, renderProject } from '../../cli/render/project.js';
import { executionLines, nanocycleLine } from '../../cli/render/session-info.js';

const AT = '2025-03-01T10:00:00.000Z';

function record(overrides: Partial<NanocycleRecord> = {}): NanocycleRecord {
  return {
    id: 'NC-001',
    name: 'auth-system',
    goal: 'Add login',
    status: 'running',
    branch: 'feat/nc-001-auth-system',
    executor: 'docker',
    createdAt: AT,
    startedAt: AT,
    finishedAt: null,
    data: {},
    ...overrides,
  };
}

function hold(overrides: Partial<HoldPointRecord> = {}): HoldPointRecord {
  return {
    id: 'HP-001-merge',
    nanocycleId: 'NC-001',
    kind: 'merge',
    reason: 'review feat/nc-001-auth-system (2 file(s) changed) before it is merged into main',
    status: 'pending',
    openedAt: AT,
    resolvedAt: null,
    resolvedBy: null,
    comment: null,
    ...overrides,
  };
}

const rows = (text: string) => text.split('\n').map((line) => line.split(/ {2,}/));

describe('nanocycle create / list', () => {
  it('says what was queued where', () => {
    expect(renderNanocycleQueued({ id: 'NC-001', status: 'queued', branch: 'feat/nc-001-auth-system' })).toBe(
      'NC-001 queued on feat/nc-001-auth-system',
    );
  });

  it('lists id, name, status in the product\'s words, branch and executor, with "-" for an executor not known yet', () => {
    const text = renderNanocycleTable(
      [
        record({ status: 'merged', executor: 'local', data: { commit: 'abc' } }),
        record({
          id: 'NC-002',
          name: 'dashboard',
          status: 'queued',
          branch: 'feat/nc-002-dashboard',
          executor: null,
        }),
        record({ id: 'NC-003', name: 'settings', status: 'running', branch: 'feat/nc-003-settings' }),
        record({
          id: 'NC-004',
          name: 'ready',
          status: 'completed',
          branch: 'feat/nc-004-ready',
          data: { commit: 'def' },
        }),
      ],
      'sess_a1b2c3',
    );
    expect(rows(text)).toEqual([
      ['ID', 'NAME', 'STATUS', 'BRANCH', 'EXECUTOR'],
      ['NC-001', 'auth-system', 'completed', 'feat/nc-001-auth-system', 'local'],
      ['NC-002', 'dashboard', 'queued', 'feat/nc-002-dashboard', '-'],
      ['NC-003', 'settings', 'in_progress', 'feat/nc-003-settings', 'docker'],
      ['NC-004', 'ready', 'awaiting_merge', 'feat/nc-004-ready', 'docker'],
    ]);
  });

  it('says how to start one when there are none', () => {
    expect(renderNanocycleTable([], 'sess_a1b2c3')).toMatch(
      /no nanocycles in sess_a1b2c3 yet; .*tevis nanocycle create --name NAME/,
    );
  });
});

describe('output lines', () => {
  const line = (stream: LogLine['stream'], text: string, attempt = 1): LogLine => ({
    seq: 1,
    run: 1,
    attempt,
    stream,
    line: text,
    at: AT,
  });

  it("prints a TPU line as it is, and Tevis's restart line set apart, on stdout in its place", () => {
    expect(renderLogLine(line('stdout', 'hello'))).toBe('hello');
    const restart = line('tevis', runRestartedText(2, 'worker-lost'), 2);
    expect(renderLogLine(restart)).toBe(
      'tevis: ── run restarted: attempt 2, because the worker running it was lost; the lines below are printed again from the start ──',
    );
    expect(logLineDestination(restart)).toBe('stdout');
    expect(logLineDestination(line('stderr', 'oops'))).toBe('stderr');
    expect(renderSessionLogLine({ ...restart, nanocycleId: 'NC-001' })).toMatch(
      /^NC-001 {2}tevis: ── run restarted: attempt 2/,
    );
  });

  it('names a restart in words for every reason, and says an unknown one as it is', () => {
    expect(runRestartedText(3, 'worker-shutdown')).toContain(
      'attempt 3, because the worker running it shut down',
    );
    expect(runRestartedText(2, 'attempt-failed')).toContain('because the previous attempt failed');
    expect(runRestartedText(2, 'cosmic-ray')).toContain('because of cosmic-ray');
  });
});

describe('how a nanocycle ended', () => {
  it('gives commit, files and TPU time of a completed one', () => {
    const nc = record({
      status: 'completed',
      finishedAt: AT,
      data: { commit: '0123456789abcdef', filesChanged: 2, tpuSeconds: 95, detail: null },
    });
    expect(describeNanocycleOutcome(nc)).toBe(
      'NC-001 awaiting_merge (commit 0123456789, 2 file(s) changed, 1m 35s on a TPU)',
    );
  });

  it('says a merged one is completed, as the product does', () => {
    expect(
      describeNanocycleOutcome(
        record({ status: 'merged', data: { commit: 'fedcba9876543210', filesChanged: 1 } }),
      ),
    ).toBe('NC-001 completed (commit fedcba9876, 1 file(s) changed)');
  });

  it('says when a completed run changed nothing, and leaves out sub-second TPU time', () => {
    expect(
      describeNanocycleOutcome(
        record({ status: 'completed', data: { commit: null, filesChanged: 0, tpuSeconds: 0.2 } }),
      ),
    ).toBe('NC-001 completed (no changes to commit)');
  });

  it('adds why it failed', () => {
    expect(
      describeNanocycleOutcome(record({ status: 'failed', data: { detail: 'exit code 1\nnpm ERR!' } })),
    ).toBe('NC-001 failed: exit code 1\nnpm ERR!');
  });

  it('prefers the fields of a brief (merge and cancel answers) over the record data', () => {
    expect(
      describeNanocycleOutcome({
        id: 'NC-002',
        status: 'conflict',
        data: {},
        commit: 'abcdef0123456789',
        filesChanged: 1,
        detail: 'conflicts in C.md',
      }),
    ).toBe('NC-002 conflict (commit abcdef0123, 1 file(s) changed): conflicts in C.md');
  });

  it('hints at the next step for the statuses that wait for someone', () => {
    expect(nextStepHint(record({ status: 'awaiting_approval' }), 'HP-001-merge')).toBe(
      'review with `tevis nanocycle diff NC-001`, then `tevis hold approve HP-001-merge` (or reject)',
    );
    expect(nextStepHint(record({ status: 'completed', data: { commit: 'abc' } }), null)).toMatch(
      /tevis nanocycle merge NC-001/,
    );
    expect(nextStepHint(record({ status: 'completed', data: { commit: null } }), null)).toBeNull();
    expect(nextStepHint(record({ status: 'conflict' }), 'HP-001-conflict-1')).toMatch(
      /resolve the conflict on its branch, then `tevis hold approve HP-001-conflict-1`/,
    );
    expect(nextStepHint(record({ status: 'merged' }), null)).toBeNull();
  });
});

describe('nanocycle diff', () => {
  const diff = {
    files: [
      { path: 'src/login.ts', additions: 40, deletions: 2 },
      { path: 'README.md', additions: 1, deletions: 0 },
    ],
    patch: 'diff --git a/README.md b/README.md\n+login\n',
  };

  it('sums up like git', () => {
    expect(diffSummary(diff.files)).toBe('2 files changed, 41 insertions(+), 2 deletions(-)');
    expect(diffSummary([{ path: 'a', additions: 1, deletions: 1 }])).toBe(
      '1 file changed, 1 insertion(+), 1 deletion(-)',
    );
  });

  it('prints the files table, the summary and the patch; --stat stops after the summary', () => {
    const full = renderDiff(diff, 'NC-001', { stat: false });
    expect(rows(full.split('\n\n')[0]!)).toEqual([
      ['FILE', '+', '-'],
      ['src/login.ts', '40', '2'],
      ['README.md', '1', '0'],
      ['2 files changed, 41 insertions(+), 2 deletions(-)'],
    ]);
    expect(full.endsWith('diff --git a/README.md b/README.md\n+login')).toBe(true);
    expect(renderDiff(diff, 'NC-001', { stat: true })).not.toContain('diff --git');
  });

  it('says so when there is nothing to show', () => {
    expect(renderDiff({ files: [], patch: '' }, 'NC-004', { stat: false })).toMatch(
      /^NC-004 changes nothing against the session branch/,
    );
  });
});

describe('hold list', () => {
  it('shows pending hold points as ID  NANOCYCLE  KIND  REASON  OPENED', () => {
    const text = renderHoldTable([hold()], 'sess_a1b2c3', { all: false });
    const [head, row] = rows(text);
    expect(head).toEqual(['ID', 'NANOCYCLE', 'KIND', 'REASON', 'OPENED']);
    expect(row!.slice(0, 4)).toEqual([
      'HP-001-merge',
      'NC-001',
      'merge',
      'review feat/nc-001-auth-system (2 file(s) changed) before it is merged into main',
    ]);
    expect(row![4]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
  });

  it('adds status and who resolved them with --all', () => {
    const text = renderHoldTable(
      [hold({ status: 'approved', resolvedBy: 'ada', resolvedAt: AT })],
      'sess_a1b2c3',
      { all: true },
    );
    const [head, row] = rows(text);
    expect(head).toEqual(['ID', 'NANOCYCLE', 'KIND', 'REASON', 'OPENED', 'STATUS', 'BY']);
    expect(row!.slice(5)).toEqual(['approved', 'ada']);
  });

  it('keeps a long, many-lined reason on one row', () => {
    expect(oneLine('Which database?\n\nPostgres or SQLite')).toBe('Which database? Postgres or SQLite');
    expect(oneLine('x'.repeat(150))).toHaveLength(100);
    const text = renderHoldTable(
      [hold({ kind: 'agent', id: 'HP-001-agent-1', reason: 'line one\nline two' })],
      'sess_a1b2c3',
      { all: false },
    );
    expect(text.split('\n')).toHaveLength(2);
  });

  it('says when nothing waits, and where resolved ones are', () => {
    expect(renderHoldTable([], 'sess_a1b2c3', { all: false })).toBe(
      'no pending hold points in sess_a1b2c3 (`tevis hold list --all` shows resolved ones too)',
    );
  });
});

describe('session info: nanocycles, TPUs and hold points', () => {
  it("prints NC lines as `NC-001: completed (auth-system)` in the product's words, with why for one that went wrong", () => {
    expect(
      nanocycleLine({ id: 'NC-001', name: 'auth-system', status: 'merged', branch: 'b', commit: 'abc' }),
    ).toBe('NC-001: completed (auth-system)');
    expect(nanocycleLine({ id: 'NC-002', name: 'dashboard', status: 'running', branch: 'b' })).toBe(
      'NC-002: in_progress (dashboard)',
    );
    expect(
      nanocycleLine({ id: 'NC-004', name: 'ready', status: 'completed', branch: 'b', commit: 'abc' }),
    ).toBe('NC-004: awaiting_merge (ready)');
    expect(
      nanocycleLine({ id: 'NC-005', name: 'noop', status: 'completed', branch: 'b', commit: null }),
    ).toBe('NC-005: completed (noop)');
    expect(
      nanocycleLine({
        id: 'NC-003',
        name: 'dash',
        status: 'failed',
        branch: 'b',
        detail: '\nexit code 2\nmore',
      }),
    ).toBe('NC-003: failed (dash) — exit code 2');
  });

  it('prints `Active TPUs: 2` and `Hold Points: 1` on their own lines, and each pending hold point', () => {
    const text = executionLines(2, [
      { id: 'HP-001-merge', nanocycleId: 'NC-001', kind: 'merge', reason: 'review it', openedAt: AT },
    ]);
    expect(text.split('\n')).toEqual([
      'Active TPUs: 2',
      'Hold Points: 1',
      '  HP-001-merge (NC-001, merge): review it',
      '  answer with `tevis hold approve HP-001-merge` or `tevis hold reject HP-001-merge`',
    ]);
    expect(executionLines(0, [])).toBe('Active TPUs: 0\nHold Points: 0');
  });
});

describe('project show: execution settings', () => {
  const project = (execution = DEFAULT_EXECUTION_SETTINGS): Project => ({
    name: 'app',
    repository: '/srv/app.git',
    defaultBranch: 'main',
    settings: { activeTimeoutSeconds: 7200, pausedTimeoutSeconds: 604800, preferences: {}, execution },
    createdAt: AT,
    updatedAt: AT,
  });

  it('shows the defaults', () => {
    const text = renderProject(project());
    expect(text).toMatch(/^Execution:$/m);
    expect(text).toMatch(/^ {2}Image: +tevis-tpu:latest$/m);
    expect(text).toMatch(/^ {2}Agent: +none \(nanocycles need --run steps, or set one with --agent\)$/m);
    expect(text).toMatch(/^ {2}TPU limit: +2 at once per session$/m);
    expect(text).toMatch(/^ {2}Hold points: +merge$/m);
    expect(text).toMatch(/^ {2}Network: +none \(loopback only\)$/m);
    expect(text).toMatch(/^ {2}Limits: +1024 MB memory, 1 CPU, 256 processes, 1024 MB disk$/m);
    expect(text).toMatch(/^ {2}TPU timeout: +1h 0m$/m);
    expect(text).toMatch(
      /^ {2}Push: +nanocycle-branches \(each merged nanocycle branch; never the session branch\)$/m,
    );
    expect(text).toMatch(/^ {2}Hold deadline: +none$/m);
    expect(text).toMatch(/^ {2}Host lost after: +2m 0s without work taken \(then the session moves host\)$/m);
  });

  it('shows what was changed', () => {
    const text = renderProject(
      project({
        ...DEFAULT_EXECUTION_SETTINGS,
        agent: 'claude -p "$TEVIS_GOAL"',
        network: true,
        holdPolicy: { plan: true, merge: false },
        limits: { memoryMb: 2048, cpus: 1.5, pids: 512 },
        push: 'on-merge',
        holdDeadline: { seconds: 86400, action: 'pause' },
        webhookUrl: 'https://hooks.example.com/t',
      }),
    );
    expect(text).toMatch(/^ {2}Agent: +claude -p "\$TEVIS_GOAL"$/m);
    expect(text).toMatch(/^ {2}Hold points: +plan$/m);
    expect(text).toMatch(/^ {2}Network: +allowed$/m);
    expect(text).toMatch(/^ {2}Limits: +2048 MB memory, 1.5 CPUs, 512 processes, 1024 MB disk$/m);
    expect(text).toMatch(/^ {2}Hold deadline: +1d 0h, then pause the session$/m);
    expect(text).toMatch(/^ {2}Webhook: +https:\/\/hooks.example.com\/t$/m);
    expect(holdPolicyText({ plan: false, merge: false })).toBe('none');
    expect(holdPolicyText({ plan: true, merge: true })).toBe('plan, merge');
  });
});

describe('outcome after the output was shown', () => {
  it('keeps only the first line of a failure, not the output tail again', () => {
    const failed = record({ status: 'failed', data: { detail: 'exit code 3\n$ make\nerror: boom' } });
    expect(describeNanocycleOutcome(failed, { detail: 'first-line' })).toBe('NC-001 failed: exit code 3');
  });
});
