import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import protos from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createSessionActivities } from '../../activities/index.js';
import { initialWorkflowState } from '../../api/session-workflow-start.js';
import { SandboxTpuExecutor } from '../../activities/tpu/sandbox-executor.js';
import { pendingReview } from '../../contracts/review.js';
import { newSessionId, sessionWorkflowId } from '../../contracts/ids.js';
import { DEFAULT_PROJECT_SETTINGS } from '../../contracts/project.js';
import { SEARCH_ATTRIBUTE_NAMES } from '../../contracts/search-attributes.js';
import type { SessionWorkflowState, SessionWorkflowSummary } from '../../contracts/session-state.js';
import type { SessionType } from '../../contracts/session-types.js';
import { openDatabase, type OpenDatabase } from '../../db/database.js';
import { findProject, insertProject } from '../../db/projects-store.js';
import { getSession, insertSession } from '../../db/sessions-store.js';
import type { SessionWorkflowInput } from '../../workflows/session-input.js';
import { sessionStateQuery } from '../../workflows/session-messages.js';
import { projectKey, statusKey, typeKey } from '../../workflows/session-search-attributes.js';
import type { sessionWorkflow } from '../../workflows/session-workflow.js';
import { ensureBubblewrap } from './bubblewrap.js';
import { makeGitFixture } from './git-fixtures.js';
import { waitFor } from './poll.js';
import { REPO_ROOT } from './repo-paths.js';
import { quietTemporalRuntime } from './temporal-runtime.js';
import { hostTaskQueue } from '../../contracts/worker-hosts.js';

/**
 * The session workflow on the Java time-skipping test server, run by a real worker with the real
 * activities: an in-memory PGlite record, a temporary TEVIS_HOME for workspaces, and a git
 * repository made here whose bare clone plays the remote. Shared by the workflow tests and by
 * `test/workflows/record-histories.ts`.
 */

const { temporal } = protos;

export const WORKFLOWS_PATH = join(REPO_ROOT, 'workflows', 'index.ts');
export const TASK_QUEUE = 'tevis-workflow-tests';

export type SessionHandle = WorkflowHandle<typeof sessionWorkflow>;

export function bundleSessionWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
}

/**
 * Registers Tevis's custom search attributes on the test server. Its OperatorService implements
 * AddSearchAttributes but not ListSearchAttributes (UNIMPLEMENTED), so `ensureSearchAttributes`
 * of runtime/search-attributes.ts cannot be used here; and without registration the server
 * refuses both the start (typed search attributes) and every upsert: "search attribute
 * TevisProject is not defined".
 */
export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.values(SEARCH_ATTRIBUTE_NAMES).map((name) => [name, keyword]),
    ),
  });
}

/** The testbed's remote: the kit's repository, plus a branch with work for review sessions. */
export async function makeGitRemote(root: string): Promise<{ remote: string; head: string }> {
  const fixture = await makeGitFixture(root, {
    only: { 'README.md': '# fixture\n', '.tevis/plan.md': '# Plan\n\n- ship it\n' },
    branches: ['feat/review'],
  });
  await fixture.commit({ 'REVIEWED.md': 'under review\n' }, 'work to review', 'feat/review');
  return { remote: fixture.remote, head: fixture.head };
}

export interface Testbed {
  env: TestWorkflowEnvironment;
  client: Client;
  db: OpenDatabase;
  /** TEVIS_HOME of the worker's activities. */
  home: string;
  remote: string;
  remoteHead: string;
  worker: Worker;
  close(): Promise<void>;
}

export interface TestbedOptions {
  testServerPath: string;
  /**
   * A worker host's name: the worker also serves that host's own task queue, and its clones say
   * they are held there (contracts/worker-hosts.ts). Absent: the shared queue only, as before hosts.
   */
  host?: string;
  /** Bundle once per file and pass it in; bundled here otherwise. */
  workflowBundle?: WorkflowBundleWithSourceMap;
}

export async function startTestbed(options: TestbedOptions): Promise<Testbed> {
  quietTemporalRuntime();
  const scratch = await mkdtemp(join(tmpdir(), 'tevis-wf-'));
  const cleanups: Array<() => Promise<unknown>> = [() => rm(scratch, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const home = join(scratch, 'home');
    await mkdir(home, { recursive: true });
    const { remote, head } = await makeGitRemote(join(scratch, 'git'));
    const [workflowBundle, db, env] = await Promise.all([
      options.workflowBundle ?? bundleSessionWorkflows(),
      openDatabase({}),
      TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: options.testServerPath } },
      }),
    ]);
    cleanups.push(
      () => db.close(),
      () => env.teardown(),
    );
    await registerSearchAttributes(env);
    // TPUs in the bubblewrap sandbox, chosen here rather than found on the machine.
    const activities = createSessionActivities({
      db: db.db,
      dbKind: db.kind,
      home,
      tpu: new SandboxTpuExecutor(db.db, await ensureBubblewrap()),
      ...(options.host ? { host: options.host } : {}),
    });
    const connection = {
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      activities,
    };
    const worker = await Worker.create({ ...connection, taskQueue: TASK_QUEUE, workflowBundle });
    const workers = [worker];
    if (options.host)
      workers.push(
        await Worker.create({ ...connection, taskQueue: hostTaskQueue(TASK_QUEUE, options.host) }),
      );
    for (const w of workers) {
      const running = w.run();
      cleanups.push(async () => {
        if (w.getState() === 'RUNNING') w.shutdown();
        await running;
      });
    }
    return { env, client: env.client, db, home, remote, remoteHead: head, worker, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface NewSessionOptions {
  project: string;
  repository: string;
  branch?: string;
  type?: SessionType;
  activeTimeoutSeconds?: number;
  pausedTimeoutSeconds?: number;
}

/**
 * Inserts the project (once) and a `starting` session row, and returns the workflow's first state
 * in the shape `SessionWorkflowStarter.start` (api/session-workflow-start.ts) builds it.
 */
export async function recordNewSession(
  testbed: Pick<Testbed, 'db'>,
  opts: NewSessionOptions,
): Promise<SessionWorkflowState> {
  const db = testbed.db.db;
  if (!(await findProject(db, opts.project))) {
    await insertProject(db, {
      name: opts.project,
      repository: opts.repository,
      defaultBranch: 'main',
      settings: DEFAULT_PROJECT_SETTINGS,
    });
  }
  const config = {
    type: opts.type ?? 'development',
    branch: opts.branch ?? 'main',
    activeTimeoutSeconds: opts.activeTimeoutSeconds ?? DEFAULT_PROJECT_SETTINGS.activeTimeoutSeconds,
    pausedTimeoutSeconds: opts.pausedTimeoutSeconds ?? DEFAULT_PROJECT_SETTINGS.pausedTimeoutSeconds,
  };
  const id = newSessionId(() => randomBytes(1)[0]!);
  await insertSession(db, { id, project: opts.project, type: config.type, branch: config.branch, config });
  const session = await getSession(db, id);
  return initialWorkflowState(session, {
    context: null,
    nanocycles: [],
    pendingHoldPoints: [],
    ...(session.type === 'review' ? { review: pendingReview('main') } : {}),
  });
}

/** Starts the session workflow the way the API does (same id, memo and search attributes). */
export async function startSessionWorkflow(
  testbed: Pick<Testbed, 'client'> & Partial<Pick<Testbed, 'env'>>,
  state: SessionWorkflowState,
  opts: { historyLimit?: number; taskQueue?: string } = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof sessionWorkflow>> {
  // The API's stamp, in the test server's time (which skipping moves ahead of the machine's).
  const issuedAt = new Date(testbed.env ? await testbed.env.currentTimeMs() : Date.now()).toISOString();
  const input: SessionWorkflowInput = {
    phase: 'start',
    state,
    stamp: { sessionId: state.sessionId, issuedAt },
    ...(opts.historyLimit !== undefined ? { historyLimit: opts.historyLimit } : {}),
  };
  return testbed.client.workflow.start<typeof sessionWorkflow>('sessionWorkflow', {
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    workflowId: sessionWorkflowId(state.sessionId),
    args: [input],
    workflowIdConflictPolicy: 'FAIL',
    memo: { repository: state.repository, branch: state.branch, project: state.project, type: state.type },
    typedSearchAttributes: [
      { key: projectKey, value: state.project },
      { key: statusKey, value: state.status },
      { key: typeKey, value: state.type },
    ],
  });
}

/**
 * The kit's poller with short real-time pauses. Time on the test server does not skip meanwhile
 * (it is locked unless a test sleeps or awaits a result), so this waits for activities and
 * workflow tasks, never for workflow timers. The limit only turns a hang into a failure.
 */
export function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  limitMs = 60_000,
): Promise<T> {
  return waitFor(what, probe, { timeoutMs: limitMs, intervalMs: 50 });
}

/**
 * The session's state query. On the time-skipping test server (1.40.0) a query must not reach a
 * run while that run continues as new: the query is never answered (the worker's answer is refused
 * with "workflow execution already completed" and the client waits ~90 s), and worse, the old
 * run's history is left without its ContinuedAsNew event, so `result()` following the chain
 * hangs. Tests that lower `historyLimit` therefore wait for the hand-over (`waitForNewRun`) before
 * they query. The short deadline and retry here only keep a stray case from hanging a test.
 */
export function queryState(handle: SessionHandle): Promise<SessionWorkflowSummary> {
  return eventually('an answer to the state query', () =>
    handle.client.withDeadline(Date.now() + 5_000, () => handle.query(sessionStateQuery)),
  );
}

/** Waits, without querying, until the workflow runs in a run other than `runId`. */
export function waitForNewRun(handle: SessionHandle, runId: string): Promise<string> {
  return eventually('the workflow to continue as new', async () => {
    const current = (await handle.describe()).runId;
    return current !== runId ? current : undefined;
  });
}

export function waitForStatus(
  handle: SessionHandle,
  status: SessionWorkflowSummary['status'],
): Promise<SessionWorkflowSummary> {
  return eventually(`session status ${status}`, async () => {
    const state = await queryState(handle);
    return state.status === status ? state : undefined;
  });
}

const EventType = temporal.api.enums.v1.EventType;

function toMs(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!ts) return NaN;
  return Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1_000_000);
}

export interface ArmedTimer {
  timerId: string;
  /** Test-server time at which the workflow started the timer. */
  startedAtMs: number;
  durationMs: number;
  runId: string;
}

/**
 * The timers of the current run that are neither fired nor cancelled, from its history; the
 * session workflow has one while it waits (its inactivity timer).
 */
export async function pendingTimers(handle: SessionHandle, ofRun?: string): Promise<ArmedTimer[]> {
  const runId = ofRun ?? (await handle.describe()).runId;
  const history = await handle.client.getHandle(handle.workflowId, runId).fetchHistory();
  const started = new Map<string, ArmedTimer>();
  for (const event of history.events ?? []) {
    if (event.eventType === EventType.EVENT_TYPE_TIMER_STARTED) {
      const attrs = event.timerStartedEventAttributes!;
      started.set(attrs.timerId!, {
        timerId: attrs.timerId!,
        startedAtMs: toMs(event.eventTime),
        durationMs: toMs(attrs.startToFireTimeout),
        runId,
      });
    } else if (event.eventType === EventType.EVENT_TYPE_TIMER_FIRED) {
      started.delete(event.timerFiredEventAttributes!.timerId!);
    } else if (event.eventType === EventType.EVENT_TYPE_TIMER_CANCELED) {
      started.delete(event.timerCanceledEventAttributes!.timerId!);
    }
  }
  return [...started.values()];
}

/**
 * Waits until the workflow waits on exactly one inactivity timer, other than `previous` when
 * given (after a touch, a pause or a continue-as-new the workflow starts a new one).
 */
export function waitForArmedTimer(handle: SessionHandle, previous?: ArmedTimer): Promise<ArmedTimer> {
  return eventually('the inactivity timer to be armed', async () => {
    const timers = await pendingTimers(handle);
    if (timers.length !== 1) return undefined;
    const timer = timers[0]!;
    if (previous && timer.timerId === previous.timerId && timer.runId === previous.runId) return undefined;
    return timer;
  });
}

/** Skips test-server time to `targetMs` (a time on the server's clock). */
export async function skipTo(env: TestWorkflowEnvironment, targetMs: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (targetMs <= now)
    throw new Error(
      `skipTo: target ${new Date(targetMs).toISOString()} is already past (${new Date(now).toISOString()})`,
    );
  await env.sleep(targetMs - now);
}

/**
 * Waits until the workflow has nothing in flight and says what it waits on: `closed`, `timer`
 * (an inactivity timer can still wake it), or `nothing`: no timer, no activity, no workflow task
 * to run, so only a new signal or Update could ever move it again. (A failed or timed-out workflow
 * task is retried by a new one, so only a completed one closes a task here.)
 */
export function settledOn(handle: SessionHandle): Promise<'closed' | 'timer' | 'nothing'> {
  return eventually('the workflow to settle', async () => {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return 'closed' as const;
    const history = await handle.client.getHandle(handle.workflowId, description.runId).fetchHistory();
    const events = history.events ?? [];
    let workflowTaskOpen = false;
    const openActivities = new Set<string>();
    for (const event of events) {
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) workflowTaskOpen = true;
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) workflowTaskOpen = false;
      if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        openActivities.add(String(event.eventId));
      const closedBy =
        event.activityTaskCompletedEventAttributes ??
        event.activityTaskFailedEventAttributes ??
        event.activityTaskTimedOutEventAttributes ??
        event.activityTaskCanceledEventAttributes;
      if (closedBy) openActivities.delete(String(closedBy.scheduledEventId));
    }
    // The run described may have closed (continued as new) before its history was read: a closed
    // run has nothing open by definition, so look again at whichever run comes next.
    const closed = events.some(
      (e) =>
        e.workflowExecutionContinuedAsNewEventAttributes ||
        e.workflowExecutionCompletedEventAttributes ||
        e.workflowExecutionFailedEventAttributes,
    );
    if (closed || workflowTaskOpen || openActivities.size > 0) return undefined;
    // The timers of this same run: a newer one may not have armed its own yet.
    return (await pendingTimers(handle, description.runId)).length > 0
      ? ('timer' as const)
      : ('nothing' as const);
  });
}

/** Every run of the workflow, oldest first, following continue-as-new from the first run. */
export async function runChain(handle: SessionHandle, firstRunId: string): Promise<string[]> {
  const runs: string[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    runs.push(runId);
    const history: protos.temporal.api.history.v1.IHistory = await handle.client
      .getHandle(handle.workflowId, runId)
      .fetchHistory();
    const last = history.events?.at(-1);
    runId =
      last?.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
        ? (last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined)
        : undefined;
  }
  return runs;
}
