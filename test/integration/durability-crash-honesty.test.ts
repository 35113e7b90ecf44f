import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionWorkflowId } from '../../contracts/ids.js';
import { ensureBubblewrap } from '../support/bubblewrap.js';
import type { ApiClient } from '../support/api-client.js';
import { describeRun, runCli } from '../support/cli-run.js';
import { type GitFixture, makeGitFixture, SMALL_REPOSITORY } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { type SplitStack, startSplitStack } from '../support/split-stack.js';
import { cleanEnv, type ManagedProcess, ProcessSet } from '../support/processes.js';
import { countTypes, stepLogger } from '../support/stack-probes.js';

/**
 * Crash honesty (issue 10, point 9): workers killed with SIGKILL in the middle of a nanocycle's
 * work, another worker taking over.
 *
 * - A sandbox TPU run cannot be re-attached to: the next attempt runs it again from the start.
 *   The output then holds the first lines twice, told apart by their attempt, with a `tevis` line
 *   between them saying why, and the timeline has `nanocycle.run_restarted`.
 * - A worker lost inside a merge: the merge activity heartbeats, so the server notices within its
 *   heartbeat timeout (the retry's last failure is a heartbeat timeout, not start-to-close) and
 *   another worker merges, once.
 * - Ending the session removes every nanocycle worktree; the branches stay.
 *
 * Held without timing: the TPU step waits for a file the test writes once the worker is dead;
 * the merge is held by a `git` first on the workers' PATH (git gets PATH and nothing else of the
 * worker's environment) that, once armed, holds the first `merge --no-ff` until it is killed.
 */

const PROJECT = 'crash-honesty';

describe('durability: workers lost in a TPU run and in a merge', () => {
  const processes = new ProcessSet();
  let root: string;
  let workerHome: string;
  let gateDir: string;
  let repo: GitFixture;
  let stack: SplitStack | undefined;
  let http: ApiClient;
  let workerEnv: NodeJS.ProcessEnv;
  let cliEnv: NodeJS.ProcessEnv;
  let sessionId: string;
  let worker: ManagedProcess;
  let workerCount = 0;

  const startWorker = () => (worker = processes.spawnTevis(`worker-${++workerCount}`, 'worker', workerEnv));
  const nanocycle = async (id: string) => (await http.nanocycles(sessionId)).find((n) => n.id === id);
  const logs = (id: string) => http.logLines(sessionId, id);
  const gitIn = (dir: string, args: string[]) => {
    const result = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tevis-crash-honesty-'));
    workerHome = join(root, 'worker-home');
    gateDir = join(root, 'gate');
    const gateBin = join(root, 'gate-bin');
    await mkdir(gateDir, { recursive: true });
    await mkdir(gateBin, { recursive: true });
    repo = await makeGitFixture(join(root, 'repo'), { only: SMALL_REPOSITORY });
    const bwrap = await ensureBubblewrap();
    const realGit = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();

    await writeFile(
      join(gateBin, 'git'),
      [
        '#!/bin/sh',
        `GATE='${gateDir}'`,
        '# Once armed, the first merge of a branch waits here until the worker running it is killed.',
        'case " $* " in',
        '  *" merge --no-ff "*)',
        '    if [ -e "$GATE/armed" ] && mkdir "$GATE/merge-held" 2>/dev/null; then',
        '      while :; do sleep 0.2; done',
        '    fi',
        '    ;;',
        'esac',
        `exec '${realGit}' "$@"`,
        '',
      ].join('\n'),
    );
    await chmod(join(gateBin, 'git'), 0o755);

    stack = await startSplitStack(root, 'crash-honesty');
    http = stack.http;
    workerEnv = stack.workerEnv(workerHome, {
      TEVIS_TPU_EXECUTOR: 'sandbox',
      PATH: `${gateBin}:${dirname(bwrap)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    });
    cliEnv = cleanEnv({
      TEVIS_HOME: join(root, 'cli-home'),
      TEVIS_API_URL: stack.api.url,
      TEVIS_API_TOKEN: http.token,
    });

    await http.ok(
      'POST',
      '/projects',
      { name: PROJECT, repository: repo.fileUrl, defaultBranch: 'main', execution: { holdMerge: false } },
      201,
    );
    startWorker();
    sessionId = (await http.ok('POST', '/sessions', { project: PROJECT }, 201)).id;
    await http.waitForStatus(sessionId, 'active', { alive: [worker] });
  }, 300_000);

  afterAll(async () => {
    await processes.killAll();
    await stack?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a sandbox run whose worker is killed runs again, marked in the output, the CLI and the timeline', async () => {
    const step = stepLogger('crash-honesty/tpu');
    const command = 'echo first-line; while [ ! -e go ]; do sleep 0.2; done; echo after-go';
    await http.ok('POST', `/sessions/${sessionId}/nanocycles`, { name: 'restarted', run: [command] }, 201);
    await waitFor(
      'the run to print its first line',
      async () => (await logs('NC-001')).some((l) => l.line === 'first-line'),
      { alive: [worker] },
    );
    step('the run waits for its go file');

    expect((await worker.kill()).signal).toBe('SIGKILL');
    await writeFile(join(workerHome, 'worktrees', sessionId, 'NC-001', 'go'), '');
    startWorker();
    await waitFor('NC-001 to be merged', async () => (await nanocycle('NC-001'))?.status === 'merged', {
      alive: [worker],
      timeoutMs: 240_000,
    });
    step('merged on the next worker');

    const lines = await logs('NC-001');
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    const marker = `run restarted: attempt 2, because the worker running it was lost; the lines below are printed again from the start`;
    expect(lines.map((l) => [l.attempt, l.stream, l.line])).toEqual([
      [1, 'stdout', `$ ${command}`],
      [1, 'stdout', 'first-line'],
      [2, 'tevis', marker],
      [2, 'stdout', `$ ${command}`],
      [2, 'stdout', 'first-line'],
      [2, 'stdout', 'after-go'],
    ]);
    expect(new Set(lines.map((l) => l.run))).toEqual(new Set([1]));

    const restarts = (await http.events(sessionId)).filter((e) => e.type === 'nanocycle.run_restarted');
    expect(restarts).toHaveLength(1);
    expect(restarts[0]!.data).toMatchObject({
      nanocycleId: 'NC-001',
      run: 1,
      attempt: 2,
      reason: 'worker-lost',
      seq: 3,
    });

    const printed = await runCli(processes, ['nanocycle', 'logs', 'NC-001', '--session', sessionId], cliEnv);
    expect(printed.code, describeRun(printed)).toBe(0);
    expect(printed.stdout.trim().split('\n')).toEqual([
      `$ ${command}`,
      'first-line',
      `tevis: ── ${marker} ──`,
      `$ ${command}`,
      'first-line',
      'after-go',
    ]);
    const timeline = await runCli(processes, ['session', 'timeline', sessionId], cliEnv);
    expect(timeline.code, describeRun(timeline)).toBe(0);
    expect(timeline.stdout).toContain(
      'NC-001 run 1 restarted (attempt 2) because the worker running it was lost',
    );
  }, 360_000);

  it('a merge whose worker is killed is taken over within the heartbeat timeout and merged once', async () => {
    const step = stepLogger('crash-honesty/merge');
    await writeFile(join(gateDir, 'armed'), '');
    await http.ok(
      'POST',
      `/sessions/${sessionId}/nanocycles`,
      { name: 'held-merge', run: ['echo merged > merged.txt'] },
      201,
    );
    await waitFor('the merge to be held', () => existsSync(join(gateDir, 'merge-held')), { alive: [worker] });
    expect((await nanocycle('NC-002'))?.status).toBe('completed');
    step('merge held');

    expect((await worker.kill()).signal).toBe('SIGKILL');
    startWorker();
    await waitFor('NC-002 to be merged', async () => (await nanocycle('NC-002'))?.status === 'merged', {
      alive: [worker],
      timeoutMs: 240_000,
    });
    step('merged on the next worker');

    const workspace = join(workerHome, 'session-repos', sessionId);
    const merges = gitIn(workspace, ['log', '--merges', '--format=%s', 'HEAD']).split('\n');
    expect(merges.filter((s) => s === 'Merge NC-002: held-merge')).toHaveLength(1);
    expect(countTypes(await http.events(sessionId))['nanocycle.merged']).toBe(2);

    // The retry was started because the lost worker stopped heartbeating, not at start-to-close.
    const history = await stack!.client.workflow.getHandle(sessionWorkflowId(sessionId)).fetchHistory();
    const scheduled = new Map<string, string>();
    for (const event of history.events ?? []) {
      const attrs = event.activityTaskScheduledEventAttributes;
      if (attrs?.activityType?.name) scheduled.set(String(event.eventId), attrs.activityType.name);
    }
    const mergeStarts = (history.events ?? [])
      .map((e) => e.activityTaskStartedEventAttributes)
      .filter(
        (a) => a && scheduled.get(String(a.scheduledEventId)) === 'mergeNanocycle' && (a.attempt ?? 1) > 1,
      );
    expect(mergeStarts).toHaveLength(1);
    expect(mergeStarts[0]!.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(
      temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT,
    );
  }, 360_000);

  it('tevis session info shows the session as the product does, merged nanocycles as completed', async () => {
    const info = await runCli(processes, ['session', 'info', sessionId], cliEnv);
    expect(info.code, describeRun(info)).toBe(0);
    const lines = info.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `Session: ${sessionId}`,
      `Project: ${PROJECT}`,
      `Repository: ${repo.fileUrl}`,
      'Branch: main',
    ]);
    expect(lines[4]).toMatch(/^Started: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(lines[5]).toMatch(/^Duration: \d/);
    expect(lines.slice(6, 11)).toEqual([
      'Nanocycles:',
      'NC-001: completed (restarted)',
      'NC-002: completed (held-merge)',
      'Active TPUs: 0',
      'Hold Points: 0',
    ]);
    const list = await runCli(processes, ['nanocycle', 'list', '--session', sessionId], cliEnv);
    expect(list.code, describeRun(list)).toBe(0);
    expect(list.stdout).toMatch(/^NC-001 +restarted +completed +feat\/nc-001-restarted +sandbox$/m);
    // Scripts keep the machine values.
    const json = await runCli(processes, ['nanocycle', 'list', '--session', sessionId, '--json'], cliEnv);
    expect(json.json.nanocycles.map((n: { status: string }) => n.status)).toEqual(['merged', 'merged']);
  }, 120_000);

  it('ending the session removes every nanocycle worktree and keeps their branches', async () => {
    const workspace = join(workerHome, 'session-repos', sessionId);
    expect(readdirSync(join(workerHome, 'worktrees', sessionId)).sort()).toEqual(['NC-001', 'NC-002']);
    const ended = await http.ok('POST', `/sessions/${sessionId}/end`);
    expect(ended.status).toBe('ended');
    expect(existsSync(join(workerHome, 'worktrees', sessionId))).toBe(false);
    expect(
      gitIn(workspace, ['worktree', 'list', '--porcelain'])
        .split('\n')
        .filter((l) => l.startsWith('worktree ')),
    ).toEqual([`worktree ${workspace}`]);
    expect(
      gitIn(workspace, ['branch', '--list', 'feat/nc-*', '--format=%(refname:short)']).split('\n').sort(),
    ).toEqual(['feat/nc-001-restarted', 'feat/nc-002-held-merge']);
  }, 120_000);
});
