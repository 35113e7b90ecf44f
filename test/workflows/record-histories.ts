/**
 * Records the histories that `session-replay.test.ts` replays: representative lifecycles of the
 * session workflow, run on the time-skipping test server with the real activities, each run's
 * history written to `test/workflows/histories/<lifecycle>[.run-N].json`, and the history of each
 * nanocycle child workflow a lifecycle started to `<lifecycle>.nc-NNN.json`. Each file carries the
 * id the workflow ran under (`workflowId`, beside the proto3 JSON `events`): a session workflow
 * names its children after its own id, so it is replayed under the same one.
 *
 *   npx tsx test/workflows/record-histories.ts                        replaces every `*.json` there
 *   npx tsx test/workflows/record-histories.ts --tag v2               adds `<lifecycle>.v2[.run-N].json`, keeps the rest
 *   npx tsx test/workflows/record-histories.ts --only nanocycle-merge records only the named lifecycle(s)
 *                                                                     (comma-separated), keeps every other file
 *   npx tsx test/workflows/record-histories.ts --host host-a ...      the worker is worker host `host-a`'s:
 *                                                                     workspace activities go to its own queue
 *
 * See histories/README.md for when: replacing is only for intentionally incompatible changes;
 * a tag records a new (patched) path next to the old recordings.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { resolveTemporalTestServer } from '../../runtime/temporal-cli.js';
import {
  endUpdate,
  pauseUpdate,
  restoreWorkspaceUpdate,
  resumeUpdate,
  touchSignal,
} from '../../workflows/session-messages.js';
import {
  createNanocycleUpdate,
  mergeNanocycleUpdate,
  resolveHoldPointUpdate,
} from '../../workflows/nanocycle-messages.js';
import { approveReviewUpdate, rejectReviewUpdate } from '../../workflows/review-messages.js';
import { DEFAULT_EXECUTION_SETTINGS, type ExecutionSettings } from '../../contracts/execution-settings.js';
import { sessionWorkflowId } from '../../contracts/ids.js';
import type { SessionWorkflowState } from '../../contracts/session-state.js';
import { findSessionContext, getSession } from '../../db/sessions-store.js';
import type { SessionWorkflowInput } from '../../workflows/session-input.js';
import type { sessionWorkflow } from '../../workflows/session-workflow.js';
import { REPO_ROOT } from '../support/repo-paths.js';
import {
  TASK_QUEUE,
  bundleSessionWorkflows,
  eventually,
  queryState,
  recordNewSession,
  runChain,
  skipTo,
  startSessionWorkflow,
  startTestbed,
  waitForArmedTimer,
  waitForNewRun,
  waitForStatus,
  type NewSessionOptions,
  type SessionHandle,
  type Testbed,
} from '../support/session-testbed.js';
import { stampedHandle } from '../support/stamped-handle.js';
import { historyFromJSON, historyToJSON } from '../support/history-json.js';
import { git, makeGitFixture } from '../support/git-fixtures.js';
import { scriptedAgentBundle } from '../support/scripted-agent-bundle.js';

const HISTORIES = join(REPO_ROOT, 'test', 'workflows', 'histories');
const SECOND = 1000;

type Lifecycle = (
  testbed: Testbed,
  project: string,
) => Promise<{ handle: SessionHandle; firstRunId: string; children?: string[] }>;

function expect(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(`recording went wrong: ${what}`);
}

async function started(
  testbed: Testbed,
  project: string,
  opts: Partial<NewSessionOptions> = {},
  historyLimit?: number,
) {
  const state = await recordNewSession(testbed, { project, repository: testbed.remote, ...opts });
  const handle = stampedHandle(
    await startSessionWorkflow(testbed, state, historyLimit === undefined ? {} : { historyLimit }),
    state.sessionId,
    testbed.env,
  );
  // A query must not reach a run while it continues as new (see queryState).
  if (historyLimit !== undefined) await waitForNewRun(handle, handle.firstExecutionRunId);
  await waitForStatus(handle, 'active');
  const timer = await waitForArmedTimer(handle);
  return { state, handle, timer, firstRunId: handle.firstExecutionRunId };
}

/** A branch on the testbed's remote, made from its main with one commit of its own, to review. */
async function branchToReview(testbed: Testbed, branch: string): Promise<string> {
  const work = join(testbed.home, `review-source-${branch.replace(/[^a-z0-9]+/g, '-')}`);
  await git(['clone', '-q', testbed.remote, work]);
  await git(['checkout', '-q', '-b', branch], work);
  const file = `${branch.replace(/\//g, '_')}.md`;
  await writeFile(join(work, file), `under review on ${branch}\n`);
  await git(['add', '-A'], work);
  await git(['commit', '-q', '-m', `work on ${branch}`], work);
  await git(['push', '-q', 'origin', branch], work);
  return file;
}

/** A review session of `branch` under the given push policy (as the project's settings would give it). */
async function startedReview(
  testbed: Testbed,
  project: string,
  branch: string,
  push: ExecutionSettings['push'],
) {
  const state = await recordNewSession(testbed, {
    project,
    repository: testbed.remote,
    type: 'review',
    branch,
  });
  const handle = stampedHandle(
    await startSessionWorkflow(testbed, { ...state, execution: { ...DEFAULT_EXECUTION_SETTINGS, push } }),
    state.sessionId,
    testbed.env,
  );
  await waitForStatus(handle, 'active');
  await waitForArmedTimer(handle);
  return { state, handle, firstRunId: handle.firstExecutionRunId };
}

const remoteMain = async (testbed: Testbed) =>
  (await git(['rev-parse', 'refs/heads/main'], testbed.remote)).trim();

const LIFECYCLES: Record<string, Lifecycle> = {
  /** start → pause → resume → touch → end by the user. */
  'pause-resume-end': async (testbed, project) => {
    const { handle, firstRunId } = await started(testbed, project);
    expect((await handle.executeUpdate(pauseUpdate)).status === 'paused', 'paused');
    expect((await handle.executeUpdate(resumeUpdate)).status === 'active', 'resumed');
    await handle.signal(touchSignal);
    expect((await handle.executeUpdate(endUpdate)).status === 'ended', 'ended');
    expect((await handle.result()).status === 'ended', 'workflow result');
    return { handle, firstRunId };
  },

  /** start → touch → the active timeout runs out → ended by inactivity. */
  inactivity: async (testbed, project) => {
    const { handle, timer, firstRunId } = await started(testbed, project, { activeTimeoutSeconds: 3600 });
    await skipTo(testbed.env, timer.startedAtMs + 600 * SECOND);
    await handle.signal(touchSignal);
    const rearmed = await waitForArmedTimer(handle, timer);
    await skipTo(testbed.env, rearmed.startedAtMs + 3601 * SECOND);
    expect((await handle.result()).status === 'ended', 'ended');
    expect((await queryState(handle)).endReason === 'inactivity', 'reason inactivity');
    return { handle, firstRunId };
  },

  /** start → pause → the paused timeout runs out → ended by inactivity. */
  'paused-inactivity': async (testbed, project) => {
    const { handle, firstRunId } = await started(testbed, project, {
      activeTimeoutSeconds: 3600,
      pausedTimeoutSeconds: 7200,
    });
    expect((await handle.executeUpdate(pauseUpdate)).status === 'paused', 'paused');
    expect((await handle.result()).status === 'ended', 'ended');
    expect((await queryState(handle)).endReason === 'inactivity', 'reason inactivity');
    return { handle, firstRunId };
  },

  /** start on a branch the remote does not have → the clone fails → the workflow fails. */
  'failed-clone': async (testbed, project) => {
    console.log(
      '(failed-clone: the worker logs the failed clone and the failed workflow as warnings; both are expected)',
    );
    const state = await recordNewSession(testbed, {
      project,
      repository: testbed.remote,
      branch: 'no-such-branch',
    });
    const handle = await startSessionWorkflow(testbed, state);
    const failure = await handle.result().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure instanceof WorkflowFailedError, `the workflow failed (got ${String(failure)})`);
    expect((await getSession(testbed.db.db, state.sessionId)).status === 'failed', 'record says failed');
    return { handle, firstRunId: handle.firstExecutionRunId };
  },

  /** An end that arrives while the session is still starting: straight to ending once cloned. */
  'end-while-starting': async (testbed, project) => {
    const state = await recordNewSession(testbed, { project, repository: testbed.remote });
    const handle = stampedHandle(await startSessionWorkflow(testbed, state), state.sessionId, testbed.env);
    const end = await handle.startUpdate(endUpdate, { waitForStage: WorkflowUpdateStage.ACCEPTED });
    expect((await end.result()).status === 'ended', 'ended');
    expect((await handle.result()).status === 'ended', 'workflow result');
    return { handle, firstRunId: handle.firstExecutionRunId };
  },

  /** An active session whose workflow was terminated, started again from the record (`recover`), then ended. */
  recover: async (testbed, project) => {
    const { state, handle: lost } = await started(testbed, project);
    await lost.terminate('recorded: the workflow is lost');
    // What the API's recover builds from the record (api/session-workflow-start.ts, SessionWorkflowStarter.start).
    const session = await getSession(testbed.db.db, state.sessionId);
    const context = await findSessionContext(testbed.db.db, state.sessionId);
    const recovered: SessionWorkflowState = {
      ...state,
      status: session.status,
      workspacePath: session.workspacePath,
      startCommit: session.startCommit,
      context,
      lastActivityAt: new Date().toISOString(),
    };
    const stamp = {
      sessionId: state.sessionId,
      issuedAt: new Date(await testbed.env.currentTimeMs()).toISOString(),
    };
    const input: SessionWorkflowInput = { phase: 'recover', state: recovered, stamp };
    const handle = stampedHandle(
      await testbed.client.workflow.start<typeof sessionWorkflow>('sessionWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId: sessionWorkflowId(state.sessionId),
        args: [input],
      }),
      state.sessionId,
      testbed.env,
    );
    await waitForStatus(handle, 'active');
    await waitForArmedTimer(handle);
    expect((await handle.executeUpdate(endUpdate)).status === 'ended', 'ended');
    expect((await handle.result()).status === 'ended', 'workflow result');
    return { handle, firstRunId: handle.firstExecutionRunId };
  },

  /**
   * A low history limit: the first run hands over right after starting, touches make the second
   * run hand over too, and the third run is paused and ended.
   */
  'continue-as-new': async (testbed, project) => {
    const { handle, timer, firstRunId } = await started(testbed, project, {}, 30);
    const secondRun = (await handle.describe()).runId;
    let armed = timer;
    for (let touches = 0; (await handle.describe()).runId === secondRun; touches++) {
      expect(touches < 40, 'the second run continues as new after some touches');
      await handle.signal(touchSignal);
      armed = await waitForArmedTimer(handle, armed);
    }
    expect((await queryState(handle)).run >= 3, 'three runs');
    expect((await handle.executeUpdate(pauseUpdate)).status === 'paused', 'paused');
    expect((await handle.executeUpdate(endUpdate)).status === 'ended', 'ended');
    expect((await handle.result()).status === 'ended', 'workflow result');
    return { handle, firstRunId };
  },

  /**
   * A nanocycle with run steps (on the local-process executor: no container engine here) runs in
   * its child workflow, commits and stops at the `merge` hold point (on by default); the hold point
   * is approved, the merge queue merges it, and the session is ended. Records the child too.
   */
  'nanocycle-merge': async (testbed, project) => {
    // The testbed's worker runs TPUs in the bubblewrap sandbox (its explicit choice).
    const savedDockerHost = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${join(testbed.home, 'no-container-engine.sock')}`;
    try {
      const { state, handle, firstRunId } = await started(testbed, project);
      const created = await handle.executeUpdate(createNanocycleUpdate, {
        args: [
          { name: 'greeting', run: ['echo hello from $TEVIS_NANOCYCLE_ID', 'printf "hi\\n" > GREETING.md'] },
        ],
      });
      expect(created.id === 'NC-001' && created.status === 'queued', 'NC-001 queued');
      await eventually('the merge hold point', async () =>
        (await queryState(handle)).pendingHoldPoints.find((h) => h.id === 'HP-001-merge'),
      );
      const awaiting = (await queryState(handle)).nanocycles.find((n) => n.id === 'NC-001');
      expect(
        awaiting?.status === 'awaiting_approval' && awaiting.executor === 'sandbox' && !!awaiting.commit,
        `NC-001 committed on the sandbox executor (${JSON.stringify(awaiting)})`,
      );
      const hold = await handle.executeUpdate(resolveHoldPointUpdate, {
        args: [
          { holdPointId: 'HP-001-merge', decision: 'approve', comment: 'looks good', by: 'record-histories' },
        ],
      });
      expect(hold.id === 'HP-001-merge', 'the merge hold point approved');
      const merged = await eventually('NC-001 merged', async () =>
        (await queryState(handle)).nanocycles.find((n) => n.id === 'NC-001' && n.status === 'merged'),
      );
      expect(!!merged, 'merged');
      const workspace = (await getSession(testbed.db.db, state.sessionId)).workspacePath!;
      expect(
        existsSync(join(workspace, 'GREETING.md')) &&
          readFileSync(join(workspace, 'GREETING.md'), 'utf8') === 'hi\n',
        'GREETING.md merged into the session branch',
      );
      expect((await handle.executeUpdate(endUpdate)).status === 'ended', 'ended');
      expect((await handle.result()).status === 'ended', 'workflow result');
      return { handle, firstRunId, children: [`${handle.workflowId}-NC-001`] };
    } finally {
      if (savedDockerHost === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = savedDockerHost;
    }
  },

  /**
   * A goal for an ACP agent (the scripted one, committed into the repository) in the sandbox: its
   * permission request is the `agent` hold point HP-001-agent-1, approved while the run goes on;
   * the turn ends, the work is committed, merged at its merge hold point, and the session ended.
   */
  'acp-agent': async (testbed, project) => {
    const savedDockerHost = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${join(testbed.home, 'no-container-engine.sock')}`;
    try {
      const { remote } = await makeGitFixture(join(testbed.home, 'acp-fixture'), {
        files: { '.agent/agent.mjs': await scriptedAgentBundle() },
      });
      const state = await recordNewSession(testbed, { project, repository: remote });
      const execution = {
        ...DEFAULT_EXECUTION_SETTINGS,
        agent: 'node .agent/agent.mjs',
        agentProtocol: 'acp' as const,
      };
      const handle = stampedHandle(
        await startSessionWorkflow(testbed, { ...state, execution }),
        state.sessionId,
        testbed.env,
      );
      await waitForStatus(handle, 'active');
      await waitForArmedTimer(handle);
      const created = await handle.executeUpdate(createNanocycleUpdate, {
        args: [{ name: 'notes', goal: 'Write the notes' }],
      });
      expect(created.id === 'NC-001', 'NC-001 queued');
      for (const id of ['HP-001-agent-1', 'HP-001-merge']) {
        await eventually(`the hold point ${id}`, async () =>
          (await queryState(handle)).pendingHoldPoints.find((h) => h.id === id),
        );
        await handle.executeUpdate(resolveHoldPointUpdate, {
          args: [{ holdPointId: id, decision: 'approve', comment: 'fine', by: 'record-histories' }],
        });
      }
      await eventually('NC-001 merged', async () =>
        (await queryState(handle)).nanocycles.find((n) => n.id === 'NC-001' && n.status === 'merged'),
      );
      const workspace = (await getSession(testbed.db.db, state.sessionId)).workspacePath!;
      expect(existsSync(join(workspace, 'APPROVED.md')), 'the allowed file merged into the session branch');
      expect((await handle.executeUpdate(endUpdate)).status === 'ended', 'ended');
      return { handle, firstRunId: handle.firstExecutionRunId, children: [`${handle.workflowId}-NC-001`] };
    } finally {
      if (savedDockerHost === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = savedDockerHost;
    }
  },

  /** `session recover` of a running session whose workspace was deleted: cloned again in place. */
  'restore-workspace': async (testbed, project) => {
    const { state, handle, firstRunId } = await started(testbed, project);
    const workspace = (await getSession(testbed.db.db, state.sessionId)).workspacePath!;
    await rm(workspace, { recursive: true, force: true });
    const restored = await handle.executeUpdate(restoreWorkspaceUpdate);
    expect(restored.recloned && existsSync(join(workspace, '.git')), 'the workspace cloned again');
    expect((await handle.executeUpdate(endUpdate)).status === 'ended', 'ended');
    expect((await handle.result()).status === 'ended', 'workflow result');
    return { handle, firstRunId };
  },

  /** A review session approves its branch: a --no-ff merge into main. */
  'review-merge': async (testbed, project) => {
    const { state, handle, firstRunId } = await started(testbed, project, {
      type: 'review',
      branch: 'feat/review',
    });
    const review = await handle.executeUpdate(approveReviewUpdate, {
      args: [{ by: 'record-histories', comment: 'lgtm' }],
    });
    expect(
      review.status === 'merged' && !!review.mergeCommit,
      `the branch merged (${JSON.stringify(review)})`,
    );
    const workspace = (await getSession(testbed.db.db, state.sessionId)).workspacePath!;
    expect(existsSync(join(workspace, 'REVIEWED.md')), 'REVIEWED.md merged into main');
    expect((await handle.executeUpdate(endUpdate)).status === 'ended', 'ended');
    expect((await handle.result()).status === 'ended', 'workflow result');
    return { handle, firstRunId };
  },

  /** `nanocycle merge` with who and why: the merge Update's second argument. */
  'nanocycle-merge-by': async (testbed, project) => {
    const savedDockerHost = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${join(testbed.home, 'no-container-engine.sock')}`;
    try {
      const { handle, firstRunId } = await started(testbed, project);
      await handle.executeUpdate(createNanocycleUpdate, {
        args: [{ name: 'notes', run: ['echo note > NOTES.md'] }],
      });
      await eventually('the merge hold point', async () =>
        (await queryState(handle)).pendingHoldPoints.find((h) => h.id === 'HP-001-merge'),
      );
      const merging = await handle.executeUpdate(mergeNanocycleUpdate, {
        args: ['NC-001', { by: 'record-histories', comment: 'ship it' }],
      });
      expect(merging.id === 'NC-001', 'NC-001 merge asked for');
      await eventually('NC-001 merged', async () =>
        (await queryState(handle)).nanocycles.find((n) => n.id === 'NC-001' && n.status === 'merged'),
      );
      expect((await handle.executeUpdate(endUpdate)).status === 'ended', 'ended');
      expect((await handle.result()).status === 'ended', 'workflow result');
      return { handle, firstRunId, children: [`${handle.workflowId}-NC-001`] };
    } finally {
      if (savedDockerHost === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = savedDockerHost;
    }
  },

  // Review sessions under the push policies, and a rejection: after the rest, as they push to main.
  /** Push policy on-merge: the approved merge goes to the remote's main at once. */
  'review-push-on-merge': async (testbed, project) => {
    const file = await branchToReview(testbed, 'feat/review-on-merge');
    const { state, handle, firstRunId } = await startedReview(
      testbed,
      project,
      'feat/review-on-merge',
      'on-merge',
    );
    const review = await handle.executeUpdate(approveReviewUpdate, {
      args: [{ by: 'record-histories', comment: 'lgtm' }],
    });
    expect(
      review.status === 'merged' && !!review.mergeCommit,
      `the branch merged (${JSON.stringify(review)})`,
    );
    expect((await remoteMain(testbed)) === review.mergeCommit, "the merge is the remote's main");
    const workspace = (await getSession(testbed.db.db, state.sessionId)).workspacePath!;
    expect(existsSync(join(workspace, file)), `${file} merged into main`);
    expect((await handle.executeUpdate(endUpdate)).status === 'ended', 'ended');
    expect((await handle.result()).status === 'ended', 'workflow result');
    return { handle, firstRunId };
  },

  /** Push policy on-end: the approved merge goes to the remote's main when the session ends. */
  'review-push-on-end': async (testbed, project) => {
    await branchToReview(testbed, 'feat/review-on-end');
    const { handle, firstRunId } = await startedReview(testbed, project, 'feat/review-on-end', 'on-end');
    const before = await remoteMain(testbed);
    const review = await handle.executeUpdate(approveReviewUpdate, { args: [{ by: 'record-histories' }] });
    expect(
      review.status === 'merged' && !!review.mergeCommit,
      `the branch merged (${JSON.stringify(review)})`,
    );
    expect((await remoteMain(testbed)) === before, 'not pushed before the end');
    expect((await handle.executeUpdate(endUpdate)).status === 'ended', 'ended');
    expect((await handle.result()).status === 'ended', 'workflow result');
    expect((await remoteMain(testbed)) === review.mergeCommit, 'pushed at the end');
    return { handle, firstRunId };
  },

  /** A rejection: nothing is merged, the comment is kept. */
  'review-reject': async (testbed, project) => {
    await branchToReview(testbed, 'feat/review-rejected');
    const { handle, firstRunId } = await startedReview(testbed, project, 'feat/review-rejected', 'on-merge');
    const before = await remoteMain(testbed);
    const review = await handle.executeUpdate(rejectReviewUpdate, {
      args: [{ by: 'record-histories', comment: 'not like this' }],
    });
    expect(
      review.status === 'rejected' && review.comment === 'not like this',
      `rejected (${JSON.stringify(review)})`,
    );
    expect((await queryState(handle)).review?.status === 'rejected', 'the state query tells the rejection');
    expect((await handle.executeUpdate(endUpdate)).status === 'ended', 'ended');
    expect((await handle.result()).status === 'ended', 'workflow result');
    expect((await remoteMain(testbed)) === before, 'nothing pushed');
    return { handle, firstRunId };
  },
};

function parseTag(argv: string[]): string | null {
  const at = argv.indexOf('--tag');
  if (at === -1) return null;
  const tag = argv[at + 1] ?? '';
  if (!/^[a-z0-9-]+$/.test(tag) || /^(run|nc)-\d+$/.test(tag))
    throw new Error('--tag takes a name of a-z, 0-9 and "-", e.g. --tag v2');
  return tag;
}

/** `--only a,b` (repeatable): just these lifecycles; null: all of them. */
function parseOnly(argv: string[]): string[] | null {
  const names: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === '--only') names.push(...(argv[i + 1] ?? '').split(',').filter(Boolean));
  });
  if (!argv.includes('--only')) return null;
  const unknown = names.filter((name) => !(name in LIFECYCLES));
  if (names.length === 0 || unknown.length)
    throw new Error(
      `--only takes lifecycle names (${Object.keys(LIFECYCLES).join(', ')}); unknown: ${unknown.join(', ') || '(none given)'}`,
    );
  return names;
}

/** The history as proto3 JSON with the id it ran under in front (replay needs the same id). */
function fixtureJSON(workflowId: string, history: Parameters<typeof historyToJSON>[0]): string {
  return JSON.stringify({ workflowId, ...(JSON.parse(historyToJSON(history)) as object) }, null, 2);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const tag = parseTag(argv);
  const only = parseOnly(argv);
  const testServer = await resolveTemporalTestServer({
    home: join(REPO_ROOT, '.cache', 'tevis-test'),
    onProgress: console.log,
  });
  const workflowBundle = await bundleSessionWorkflows();
  // `--host NAME`: the worker is a worker host's, and sessions keep their workspace on it.
  const hostAt = argv.indexOf('--host');
  const host = hostAt === -1 ? undefined : argv[hostAt + 1];
  const testbed = await startTestbed({
    testServerPath: testServer.path,
    workflowBundle,
    ...(host ? { host } : {}),
  });
  const written: string[] = [];
  const write = async (file: string, workflowId: string, history: Parameters<typeof historyToJSON>[0]) => {
    const json = fixtureJSON(workflowId, history);
    await writeFile(join(HISTORIES, file), `${json}\n`);
    written.push(file);
    // A recording that does not replay, as read back from its file, is no fixture.
    await Worker.runReplayHistory({ workflowBundle }, historyFromJSON(JSON.parse(json)), workflowId);
  };
  try {
    await mkdir(HISTORIES, { recursive: true });
    if (!tag && !only)
      for (const file of await readdir(HISTORIES))
        if (file.endsWith('.json')) await rm(join(HISTORIES, file));
    for (const [name, lifecycle] of Object.entries(LIFECYCLES)) {
      if (only && !only.includes(name)) continue;
      const { handle, firstRunId, children = [] } = await lifecycle(testbed, `replay-${name}`);
      const prefix = `${name}${tag ? `.${tag}` : ''}`;
      const runs = await runChain(handle, firstRunId);
      for (const [index, runId] of runs.entries()) {
        const history = await handle.client.getHandle(handle.workflowId, runId).fetchHistory();
        await write(
          `${prefix}${runs.length === 1 ? '' : `.run-${index + 1}`}.json`,
          handle.workflowId,
          history,
        );
      }
      for (const childId of children) {
        const history = await testbed.client.workflow.getHandle(childId).fetchHistory();
        await write(
          `${prefix}.${childId.slice(handle.workflowId.length + 1).toLowerCase()}.json`,
          childId,
          history,
        );
      }
      console.log(
        `recorded ${name}: ${runs.length} run(s)${children.length ? `, ${children.length} child workflow(s)` : ''}`,
      );
    }
  } finally {
    await testbed.close();
  }
  console.log(`wrote ${written.length} histories to ${HISTORIES}:\n  ${written.join('\n  ')}`);
}

await main();
