import { describe, expect, it } from 'vitest';
import type { Session } from '../../contracts/session.js';
import type { SessionLiveState } from '../../contracts/session-state.js';
import type { SessionWithState } from '../../contracts/responses.js';
import { renderSessionInfo } from '../../cli/render/session-info.js';
import { renderSessionTable } from '../../cli/render/session-table.js';
import { renderServiceStatus, requiredServicesOk } from '../../cli/render/service-status.js';
import { describeEvent } from '../../cli/render/timeline-event.js';
import { renderSummaryHeadline } from '../../cli/render/summary-headline.js';

const STARTED = '2025-03-01T10:00:00.000Z';

function session(overrides: Partial<Session> = {}): Session {
  return {
    id: 'sess_a1b2c3',
    project: 'my-saas-app',
    repository: 'https://example.com/acme/app.git',
    type: 'development',
    branch: 'main',
    status: 'active',
    config: { type: 'development', branch: 'main', activeTimeoutSeconds: 7200, pausedTimeoutSeconds: 604800 },
    workspacePath: '/home/u/.tevis-runtime/session-repos/sess_a1b2c3',
    startCommit: 'abc',
    startedAt: STARTED,
    endedAt: null,
    endReason: null,
    failure: null,
    lastActivityAt: STARTED,
    ...overrides,
  };
}

function view(
  overrides: { session?: Partial<Session>; state?: Partial<SessionLiveState> } = {},
): SessionWithState {
  const s = session(overrides.session);
  const state: SessionLiveState = {
    activeContext: {
      sessionId: s.id,
      project: s.project,
      repository: s.repository,
      branch: s.branch,
      type: s.type,
      startedAt: s.startedAt,
      nanocycles: [],
      activeNanocycle: null,
      context: null,
    },
    workspace: {
      path: s.workspacePath!,
      exists: true,
      gitStatus: 'dirty',
      branch: 'main',
      lastCommit: { sha: '0123456789abcdef', subject: 'Add login page', author: 'Ada', at: STARTED },
      modifiedFiles: ['src/a.ts', 'src/b.ts'],
    },
    execution: { status: 'idle', activeTpus: 0, pendingHoldPoints: [] },
    live: true,
    ...overrides.state,
  };
  return { session: s, state };
}

const at = (offsetSeconds: number) => new Date(Date.parse(STARTED) + offsetSeconds * 1000);

describe('session info', () => {
  it('prints every field the product promises', () => {
    const text = renderSessionInfo(view(), { now: at(3 * 3600 + 5 * 60), isCurrent: true });
    expect(text).toMatch(/^Project: +my-saas-app$/m);
    expect(text).toMatch(/^Repository: +https:\/\/example.com\/acme\/app.git$/m);
    expect(text).toMatch(/^Branch: +main$/m);
    expect(text).toMatch(/^Type: +development$/m);
    expect(text).toMatch(/^Status: +active$/m);
    expect(text).toMatch(/^Current: +yes/m);
    expect(text).toMatch(/^Started: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m);
    expect(text).toMatch(/^Duration: 3h 5m$/m);
    expect(text).toMatch(/^Workspace: +\/home\/u\/.tevis-runtime\/session-repos\/sess_a1b2c3$/m);
    expect(text).toMatch(/^ {2}Git status: +dirty$/m);
    expect(text).toMatch(/^ {2}Last commit: +0123456789 Add login page \(Ada\)$/m);
    expect(text).toMatch(/^ {2}Modified files: +2$/m);
    expect(text).toMatch(/^Nanocycles: none$/m);
    expect(text).not.toMatch(/ +$/m);
  });

  it("starts with the product's Session Details, line for line in its layout and words", () => {
    const text = renderSessionInfo(
      view({
        state: {
          activeContext: {
            ...view().state.activeContext,
            nanocycles: [
              {
                id: 'NC-001',
                name: 'auth-system',
                status: 'merged',
                branch: 'feat/nc-001-auth-system',
                commit: 'c1',
              },
              {
                id: 'NC-002',
                name: 'dashboard',
                status: 'merged',
                branch: 'feat/nc-002-dashboard',
                commit: 'c2',
              },
              { id: 'NC-003', name: 'settings-page', status: 'running', branch: 'feat/nc-003-settings-page' },
            ],
          },
          execution: { status: 'running', activeTpus: 2, pendingHoldPoints: [] },
        },
      }),
      { now: at(2 * 3600 + 30 * 60), isCurrent: false },
    );
    const started = new Date(STARTED);
    const pad = (n: number) => String(n).padStart(2, '0');
    const local = `${started.getFullYear()}-${pad(started.getMonth() + 1)}-${pad(started.getDate())} ${pad(started.getHours())}:${pad(started.getMinutes())}:${pad(started.getSeconds())}`;
    expect(text.split('\n').slice(0, 12)).toEqual([
      'Session: sess_a1b2c3',
      'Project: my-saas-app',
      'Repository: https://example.com/acme/app.git',
      'Branch: main',
      `Started: ${local}`,
      'Duration: 2h 30m',
      'Nanocycles:',
      'NC-001: completed (auth-system)',
      'NC-002: completed (dashboard)',
      'NC-003: in_progress (settings-page)',
      'Active TPUs: 2',
      'Hold Points: 0',
    ]);
    expect(text).toMatch(/^Current: +no$/m);
  });

  it("lists nanocycles in the product's words and counts TPUs and pending hold points", () => {
    const text = renderSessionInfo(
      view({
        state: {
          activeContext: {
            ...view().state.activeContext,
            nanocycles: [
              {
                id: 'NC-001',
                name: 'auth-system',
                status: 'completed',
                branch: 'feat/nc-001-auth-system',
                commit: 'abc',
              },
              { id: 'NC-002', name: 'billing', status: 'running', branch: 'feat/nc-002-billing' },
            ],
          },
          execution: {
            status: 'running',
            activeTpus: 1,
            pendingHoldPoints: [
              { id: 'HP-1', nanocycleId: 'NC-002', kind: 'merge', reason: 'review', openedAt: STARTED },
            ],
          },
        },
      }),
      { now: at(60), isCurrent: false },
    );
    expect(text).toContain(
      'Nanocycles:\nNC-001: awaiting_merge (auth-system)\nNC-002: in_progress (billing)',
    );
    expect(text).toContain('Active TPUs: 1\nHold Points: 1');
    expect(text).toContain('  HP-1 (NC-002, merge): review');
    expect(text).toContain('`tevis hold approve HP-1`');
  });

  it('measures an ended session up to its end, and shows the reason', () => {
    const ended = view({
      session: { status: 'ended', endedAt: at(90).toISOString(), endReason: 'inactivity' },
    });
    const text = renderSessionInfo(ended, { now: at(99999), isCurrent: false });
    expect(text).toMatch(/^Duration: +1m 30s$/m);
    expect(text).toMatch(/^Status: +ended \(inactivity\)$/m);
  });

  it('points at `recover` when an open session is shown from the record', () => {
    const text = renderSessionInfo(view({ state: { live: false } }), { now: at(1), isCurrent: false });
    expect(text).toContain('tevis session recover sess_a1b2c3');
  });

  it('says so when the workspace is missing or not cloned yet', () => {
    expect(
      renderSessionInfo(view({ state: { workspace: null }, session: { workspacePath: null } }), {
        now: at(1),
        isCurrent: false,
      }),
    ).toMatch(/^Workspace: +not cloned yet$/m);
  });
});

describe('session list', () => {
  it('is a borderless `ID  PROJECT  STARTED  STATUS` table with the current session starred', () => {
    const text = renderSessionTable(
      [session(), session({ id: 'sess_d4e5f6', project: 'other', status: 'paused' })],
      'sess_d4e5f6',
    );
    const [head, first, second] = text.split('\n');
    expect(head).toMatch(/^ {2}ID +PROJECT +STARTED +STATUS$/);
    expect(first).toMatch(/^ {2}sess_a1b2c3 +my-saas-app +\d{4}-\d\d-\d\d \d\d:\d\d +active$/);
    expect(second).toMatch(/^\* sess_d4e5f6 +other +.+ +paused$/);
    expect(text).not.toMatch(/[│─┌└]/);
  });

  it('tells what to do when there is nothing to list', () => {
    expect(renderSessionTable([], undefined)).toContain('tevis session create');
  });
});

describe('status', () => {
  const check = (status: 'ok' | 'unavailable', detail = 'x') => ({ status, detail, latencyMs: 1 });
  const status = (containerEngine: 'ok' | 'unavailable', worker: 'ok' | 'unavailable' = 'ok') => ({
    status: 'ok' as const,
    services: {
      api: check('ok'),
      worker: check(worker),
      temporal: check('ok'),
      database: check('ok'),
      containerEngine: check(containerEngine),
    },
  });

  it('does not need the TPU executor', () => {
    expect(requiredServicesOk(status('unavailable'))).toBe(true);
    expect(requiredServicesOk(status('ok', 'unavailable'))).toBe(false);
  });

  it('shows each service with its status and detail', () => {
    const text = renderServiceStatus(status('unavailable'), 'http://127.0.0.1:8082');
    expect(text).toMatch(/^SERVICE +STATUS +DETAIL$/m);
    expect(text).toMatch(/^TPU executor \(optional\) +unavailable +x$/m);
    expect(text).toMatch(/^api +ok +x at http:\/\/127.0.0.1:8082$/m);
  });
});

describe('timeline wording', () => {
  it('describes start-up steps for the spinner', () => {
    expect(describeEvent({ type: 'workspace.cloning', data: { repository: '/r.git', branch: 'main' } })).toBe(
      'cloning /r.git (main)…',
    );
    expect(
      describeEvent({
        type: 'context.loaded',
        data: { docs: ['.tevis/plan.md'], memoryEntries: 1, preferences: ['a', 'b'] },
      }),
    ).toBe('context loaded: 1 planning doc(s), 1 memory entry, 2 preference(s)');
    expect(describeEvent({ type: 'session.failed', data: { error: 'clone failed' } })).toBe(
      'failed: clone failed',
    );
    // A type newer than this CLI still shows what it carries.
    expect(describeEvent({ type: 'some.future' as never, data: { id: 'NC-001', name: 'auth' } })).toBe(
      'some.future: NC-001 auth',
    );
  });

  it('describes nanocycle and hold point events with the fields the workflows record', () => {
    expect(
      describeEvent({
        type: 'nanocycle.queued',
        data: { nanocycleId: 'NC-001', name: 'auth', branch: 'feat/nc-001-auth' },
      }),
    ).toBe('NC-001 queued (auth) on feat/nc-001-auth');
    expect(describeEvent({ type: 'nanocycle.started', data: { nanocycleId: 'NC-001', run: 1 } })).toBe(
      'NC-001 started on a TPU',
    );
    expect(
      describeEvent({
        type: 'nanocycle.completed',
        data: { nanocycleId: 'NC-001', commit: '0123456789abcdef', filesChanged: 2 },
      }),
    ).toBe('NC-001 completed: 2 file(s) changed, commit 0123456789');
    expect(
      describeEvent({
        type: 'nanocycle.failed',
        data: { nanocycleId: 'NC-002', detail: 'exit code 1\nnpm ERR! test failed' },
      }),
    ).toBe('NC-002 failed: exit code 1');
    expect(
      describeEvent({
        type: 'nanocycle.conflict',
        data: { nanocycleId: 'NC-003', conflicts: ['a.ts', 'b.ts'] },
      }),
    ).toBe('NC-003 conflicts in a.ts, b.ts');
    expect(
      describeEvent({
        type: 'nanocycle.merged',
        data: { nanocycleId: 'NC-001', commit: 'fedcba9876543210' },
      }),
    ).toBe('NC-001 merged (fedcba9876)');
    expect(
      describeEvent({
        type: 'nanocycle.run_restarted',
        data: { nanocycleId: 'NC-002', run: 1, attempt: 2, reason: 'worker-lost' },
      }),
    ).toBe(
      'NC-002 run 1 restarted (attempt 2) because the worker running it was lost; its output is printed again from the start',
    );
    expect(
      describeEvent({
        type: 'nanocycle.run_reattached',
        data: { nanocycleId: 'NC-003', run: 2, attempt: 3, reason: 'worker-shutdown' },
      }),
    ).toBe(
      'NC-003 run 2 picked up again (attempt 3) because the worker running it shut down; re-attached to its container, no line repeated',
    );
    expect(
      describeEvent({
        type: 'nanocycle.rejected',
        data: { nanocycleId: 'NC-004', holdPointId: 'HP-004-merge', comment: 'not now' },
      }),
    ).toBe('NC-004 rejected: not now');
    expect(
      describeEvent({
        type: 'holdpoint.opened',
        data: { id: 'HP-001-merge', nanocycleId: 'NC-001', kind: 'merge', reason: 'review it' },
      }),
    ).toBe('hold point HP-001-merge opened: review it');
    expect(
      describeEvent({
        type: 'holdpoint.resolved',
        data: { id: 'HP-001-merge', status: 'approved', by: 'ada', comment: 'looks good' },
      }),
    ).toBe('hold point HP-001-merge approved by ada: looks good');
  });

  it('sums up a summary in one screen', () => {
    const text = renderSummaryHeadline({
      sessionId: 'sess_a1b2c3',
      project: 'p',
      type: 'development',
      branch: 'main',
      reason: 'user',
      startedAt: STARTED,
      endedAt: at(125).toISOString(),
      timeSpentSeconds: 125,
      nanocycles: { total: 3, completed: 2, byStatus: {} },
      filesChanged: [{ path: 'a', additions: 3, deletions: 1 }],
      commits: 4,
      startCommit: null,
      endCommit: null,
      metrics: {},
      markdown: '',
    });
    expect(text).toContain('ended by the user');
    expect(text).toMatch(/Time spent: +2m 5s/);
    expect(text).toMatch(/Nanocycles: +2 completed of 3/);
    expect(text).toMatch(/Files: +1 changed \(\+3 −1\)/);
  });
});
