import {
  ActivityFailure,
  type ApplicationFailure,
  executeChild,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import { sessionCan } from '../contracts/capabilities.js';
import {
  DEFAULT_EXECUTION_SETTINGS,
  pushPolicyOf,
  pushesNanocycleBranches,
} from '../contracts/execution-settings.js';
import {
  HoldPointResolve,
  NanocycleCreate,
  NanocycleMerge,
  holdPointId,
  nanocycleBranch,
  nanocycleId,
  type NanocycleStatus,
} from '../contracts/nanocycle.js';
import type { CommandStamp } from '../contracts/sealed-commands.js';
import type { HoldPointBrief, NanocycleBrief, SessionWorkflowState } from '../contracts/session-state.js';
import type { TimelineEventType } from '../contracts/timeline.js';
import { isGenuineArgument, requireStamp } from './command-guard.js';
import type { NanocycleWorkflowInput } from './nanocycle-input.js';
import {
  cancelNanocycleUpdate,
  createNanocycleUpdate,
  holdAnsweredSignal,
  holdOpenedSignal,
  mergeNanocycleUpdate,
  nanocycleProgressSignal,
  resolveHoldPointUpdate,
  type SignalOrigin,
} from './nanocycle-messages.js';
import type { NanocycleOutcome } from './nanocycle-workflow.js';
import { answeringWrites, isUnrecordable, unrecordedWrite } from './unrecorded-write.js';
import { refuseInvalid } from './validate-input.js';
import { refuse, refused } from './refusal.js';

const acts = proxyActivities<SessionActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

/** A remote that does not answer is given a few tries, then the push is reported as failed. */
const pushes = proxyActivities<SessionActivities>({
  startToCloseTimeout: '6 minutes',
  // The push heartbeats while git runs: a worker lost in one is noticed in seconds.
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '2 seconds',
    maximumInterval: '30 seconds',
    maximumAttempts: 3,
    nonRetryableErrorTypes: ['validation', 'workspace-repository-missing'],
  },
});

/** Merge and push heartbeat while git runs: a worker lost in one is noticed in seconds, not minutes. */
const gitActs = proxyActivities<SessionActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

/** The session's settings were copied from its project at start: the fix names both ways out. */
function agentNotConfigured(project: string): ApplicationFailure {
  return refuse(
    'agent-not-configured',
    `this session has no agent command, so nothing would work on a goal; give the nanocycle run steps (\`tevis nanocycle create --name N --run "CMD"\`), ` +
      `or set the project's agent (\`tevis project update ${project} --agent '…'\`) and start a new session, which copies it`,
  );
}

const FINAL: readonly string[] = ['merged', 'failed', 'cancelled', 'rejected'];
/** Hold points the nanocycle's own workflow waits on; merge and conflict ones are the session's. */
const CHILD_HOLDS: readonly string[] = ['plan', 'agent'];

/** A name the session already used: refused, naming the nanocycle that has it (details[0]). */
function nameTaken(taken: NanocycleBrief): ApplicationFailure {
  return refuse(
    'nanocycle-name-taken',
    `this session already has a nanocycle named "${taken.name}": ${taken.id} (${taken.status}); pick another name (\`--name\`)`,
    { nanocycleId: taken.id, nanocycleStatus: taken.status },
  );
}

interface Queued {
  id: string;
  create: NanocycleCreate;
}

/**
 * The session's side of nanocycles: the TPU limit (the rest wait in order), the children, the
 * hold points a person answers, and the merge queue that merges one at a time.
 */
export function installNanocycles(
  state: SessionWorkflowState,
  noteActivity: () => void,
  sealedCommands: boolean,
  pauseSession: (why: string) => Promise<void>,
) {
  const execution = state.execution ?? DEFAULT_EXECUTION_SETTINGS;
  const queue: Queued[] = [];
  const running = new Map<string, Promise<void>>();
  const holdOverrides = new Map<string, { plan?: boolean; merge?: boolean }>();
  let merges: Promise<unknown> = Promise.resolve();
  let pendingMerges = 0;
  let eventNumber = 0;

  const childId = (id: string) => `${workflowInfo().workflowId}-${id}`;
  const eventKey = () => `${workflowInfo().runId}:nc:${++eventNumber}`;
  const brief = (id: string): NanocycleBrief | undefined => state.nanocycles.find((n) => n.id === id);
  const refreshCounts = () => {
    state.activeTpus = state.nanocycles.filter((n) => n.status === 'running').length;
    state.activeNanocycle = state.nanocycles.find((n) => n.status === 'running')?.id ?? null;
  };

  const setStatus = async (
    id: string,
    status: NanocycleStatus,
    type: TimelineEventType | null,
    data: Record<string, unknown> = {},
  ) => {
    const nc = brief(id)!;
    nc.status = status;
    refreshCounts();
    noteActivity();
    await acts.recordNanocycle({
      nanocycle: {
        sessionId: state.sessionId,
        id,
        name: nc.name,
        goal: null,
        branch: nc.branch,
        status,
        ...(FINAL.includes(status) ? { finishedAt: new Date().toISOString() } : {}),
      },
      event: type
        ? { sessionId: state.sessionId, type, data: { nanocycleId: id, ...data }, key: eventKey() }
        : undefined,
    });
  };

  const openHold = async (id: string, kind: 'merge' | 'conflict', reason: string, attempt?: number) => {
    const hold: HoldPointBrief = {
      id: holdPointId(id, kind, attempt),
      nanocycleId: id,
      kind,
      reason,
      openedAt: new Date().toISOString(),
    };
    state.pendingHoldPoints.push(hold);
    watchDeadline(hold);
    await acts.recordHoldPointOpened({
      sessionId: state.sessionId,
      ...hold,
      eventKey: eventKey(),
      webhookUrl: execution.webhookUrl,
    });
    await setStatus(id, kind === 'merge' ? 'awaiting_approval' : 'conflict', null);
  };

  /** Push policy: the session branch goes to the project's remote; a refusal is on the timeline. */
  const pushBranch = async (why: string) => {
    if (!state.workspacePath) return;
    const pushed = await gitActs.pushSessionBranch({ workspace: state.workspacePath, branch: state.branch });
    await acts.recordTransition({
      sessionId: state.sessionId,
      changes: {},
      event: {
        sessionId: state.sessionId,
        type: pushed.pushed ? 'branch.pushed' : 'branch.push_failed',
        data: { branch: state.branch, commit: pushed.commit, why, error: pushed.error },
        key: eventKey(),
      },
    });
  };

  /**
   * Push policy: a merged nanocycle's branch goes to the remote under its own name (every policy
   * but `never`). A refusal, or a push that could not be made at all, is on the timeline and the
   * nanocycle stays merged.
   */
  const pushNanocycle = async (id: string) => {
    const nc = brief(id)!;
    let outcome: { pushed: boolean; commit: string | null; error: string | null };
    try {
      outcome = await pushes.pushNanocycleBranch({
        workspace: state.workspacePath!,
        branch: nc.branch,
        base: state.branch,
      });
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      outcome = { pushed: false, commit: nc.commit ?? null, error: error.cause?.message ?? error.message };
    }
    await acts.recordTransition({
      sessionId: state.sessionId,
      changes: {},
      event: {
        sessionId: state.sessionId,
        type: outcome.pushed ? 'branch.pushed' : 'branch.push_failed',
        data: {
          branch: nc.branch,
          commit: outcome.commit,
          why: `${id} merged`,
          nanocycleId: id,
          error: outcome.error,
        },
        key: eventKey(),
      },
    });
  };

  /**
   * The project's hold-point deadline: a hold point nobody answered in time is rejected, or the
   * session is paused so the work waits without a clock running out on it.
   */
  const watchDeadline = (hold: HoldPointBrief) => {
    const deadline = execution.holdDeadline;
    if (!deadline) return;
    // From when it opened, so a deadline carried across continue-as-new keeps its time.
    const dueInMs = Math.max(1, Date.parse(hold.openedAt) + deadline.seconds * 1000 - Date.now());
    void sleep(dueInMs).then(async () => {
      if (!state.pendingHoldPoints.some((h) => h.id === hold.id)) return;
      if (deadline.action === 'reject')
        await resolveHold(hold, 'reject', `no answer within ${deadline.seconds} s`, null, 'deadline');
      else await pauseSession(`hold point ${hold.id} had no answer within ${deadline.seconds} s`);
    });
  };

  /** Merges run one at a time, in the order they were asked for. */
  const enqueueMerge = (id: string): Promise<void> => {
    pendingMerges++;
    const next = merges.then(async () => {
      const nc = brief(id)!;
      if (!state.workspacePath) throw new Error('the session has no workspace');
      const outcome = await gitActs.mergeNanocycle({
        workspace: state.workspacePath,
        branch: nc.branch,
        message: `Merge ${id}: ${nc.name}`,
      });
      if (outcome.merged) {
        nc.commit = outcome.commit;
        nc.detail = null;
        await setStatus(id, 'merged', 'nanocycle.merged', { commit: outcome.commit });
        // Histories from before nanocycle branches were pushed merged without it.
        if (pushesNanocycleBranches(pushPolicyOf(execution)) && patched('push-nanocycle-branches'))
          await pushNanocycle(id);
        if (execution.push === 'on-merge') await pushBranch(`${id} merged`);
      } else {
        nc.detail = `conflicts in ${outcome.conflicts.join(', ')}`;
        await setStatus(id, 'conflict', 'nanocycle.conflict', { conflicts: outcome.conflicts });
        nc.conflicts = (nc.conflicts ?? 0) + 1;
        const attempt = nc.conflicts;
        await openHold(
          id,
          'conflict',
          `merging ${nc.branch} conflicts in ${outcome.conflicts.join(', ')}; resolve it on the branch and approve to merge again, or reject`,
          attempt,
        );
      }
    });
    merges = next.catch(() => undefined).finally(() => pendingMerges--);
    return next;
  };

  const onOutcome = async (id: string, outcome: NanocycleOutcome) => {
    const nc = brief(id)!;
    Object.assign(nc, {
      status: outcome.status,
      commit: outcome.commit,
      filesChanged: outcome.filesChanged,
      executor: outcome.executor,
      tpuSeconds: outcome.tpuSeconds,
      detail: outcome.detail,
    });
    state.pendingHoldPoints = state.pendingHoldPoints.filter(
      (h) => !(h.nanocycleId === id && CHILD_HOLDS.includes(h.kind)),
    );
    refreshCounts();
    noteActivity();
    if (outcome.status !== 'completed') return;
    if (!outcome.commit) return;
    const mergeHold = holdOverrides.get(id)?.merge ?? execution.holdPolicy.merge;
    if (mergeHold)
      await openHold(
        id,
        'merge',
        `review ${nc.branch} (${outcome.filesChanged} file(s) changed) before it is merged into ${state.branch}`,
      );
    else await enqueueMerge(id);
  };

  const start = (item: Queued) => {
    const nc = brief(item.id)!;
    const input: NanocycleWorkflowInput = {
      sessionId: state.sessionId,
      sessionWorkflowId: workflowInfo().workflowId,
      nanocycleId: item.id,
      name: nc.name,
      goal: item.create.goal ?? null,
      run: item.create.run ?? null,
      branch: nc.branch,
      base: state.branch,
      workspace: state.workspacePath!,
      execution,
      holdPlan: item.create.hold?.plan ?? execution.holdPolicy.plan,
    };
    nc.status = 'running';
    refreshCounts();
    const done = executeChild<typeof import('./nanocycle-workflow.js').nanocycleWorkflow>(
      'nanocycleWorkflow',
      { workflowId: childId(item.id), args: [input] },
    )
      .then(
        (outcome) => onOutcome(item.id, outcome),
        (error: unknown) =>
          onOutcome(item.id, {
            status: 'failed',
            commit: null,
            filesChanged: 0,
            executor: null,
            tpuSeconds: 0,
            detail: String((error as Error).message),
          }),
      )
      .finally(() => {
        running.delete(item.id);
        pump();
      });
    running.set(item.id, done);
  };

  const pump = () => {
    while (running.size < execution.tpuLimit && queue.length > 0) start(queue.shift()!);
  };

  // Hold points carried over from the previous run get their deadlines back.
  for (const hold of state.pendingHoldPoints) watchDeadline(hold);

  /**
   * From the nanocycle children only: a plaintext argument (anyone's) is ignored, and so is a
   * sealed one replayed from a history (another session's, an earlier signal of the same child,
   * or one from a child that has finished).
   */
  const lastSignal = new Map<string, number>();
  const fromRunningChild = (nanocycle: string, message: SignalOrigin): boolean => {
    if (!sealedCommands) return true;
    if (!running.has(nanocycle) || message.from !== childId(nanocycle) || typeof message.seq !== 'number')
      return false;
    if (message.seq <= (lastSignal.get(nanocycle) ?? 0)) return false;
    lastSignal.set(nanocycle, message.seq);
    return true;
  };

  setHandler(nanocycleProgressSignal, (message) => {
    if (!isGenuineArgument(message) || !fromRunningChild(message.id, message)) return;
    const { from: _from, seq: _seq, ...progress } = message;
    const nc = brief(progress.id);
    if (!nc || FINAL.includes(nc.status)) return;
    Object.assign(nc, progress);
    refreshCounts();
    noteActivity();
  });

  setHandler(holdOpenedSignal, (message) => {
    if (
      !isGenuineArgument(message) ||
      !message.nanocycleId ||
      !fromRunningChild(message.nanocycleId, message)
    )
      return;
    const { from: _from, seq: _seq, ...hold } = message;
    if (!state.pendingHoldPoints.some((h) => h.id === hold.id)) state.pendingHoldPoints.push(hold);
    noteActivity();
    watchDeadline(hold);
  });

  setHandler(
    createNanocycleUpdate,
    async (create) => {
      // The validator refuses a name in use; this catches two creates admitted in one workflow
      // task, before either handler ran. Patched: histories recorded before it replay unchanged.
      const taken = state.nanocycles.find((n) => n.name === create.name);
      if (taken && patched('nanocycle-names-unique')) throw nameTaken(taken);
      const counter = (state.nanocycleCounter ?? state.nanocycles.length) + 1;
      state.nanocycleCounter = counter;
      const id = nanocycleId(counter);
      const nc: NanocycleBrief = {
        id,
        name: create.name,
        status: 'queued',
        branch: nanocycleBranch(id, create.name),
        executor: null,
        commit: null,
        filesChanged: 0,
        tpuSeconds: 0,
        detail: null,
      };
      state.nanocycles.push(nc);
      if (create.hold) holdOverrides.set(id, create.hold);
      noteActivity();
      try {
        await answeringWrites.recordNanocycle({
          nanocycle: {
            sessionId: state.sessionId,
            id,
            name: create.name,
            goal: create.goal ?? null,
            branch: nc.branch,
            status: 'queued',
            data: { run: create.run ?? null, hold: create.hold ?? null },
          },
          event: {
            sessionId: state.sessionId,
            type: 'nanocycle.queued',
            data: { nanocycleId: id, name: create.name, branch: nc.branch },
            key: eventKey(),
          },
        });
      } catch (error) {
        // Not recorded, so it never existed: no `queued` nanocycle waits in the state forever.
        state.nanocycles.splice(state.nanocycles.indexOf(nc), 1);
        holdOverrides.delete(id);
        // A refused write certainly left no row, so the id is free again; after a timeout a row
        // may exist, and reusing its id would mix two nanocycles.
        if (isUnrecordable(error) && state.nanocycleCounter === counter) state.nanocycleCounter = counter - 1;
        refreshCounts();
        throw unrecordedWrite(error, `nanocycle ${id}`);
      }
      const answer = { ...nc };
      // The record may have been written while a cancel arrived; only a still-queued one runs.
      if (nc.status === 'queued') {
        queue.push({ id, create });
        pump();
      }
      return answer;
    },
    {
      validator: (create: NanocycleCreate, stamp?: CommandStamp) => {
        requireStamp(state.sessionId, stamp);
        if (!sessionCan(state.type, 'nanocycle:create'))
          throw refuse(
            'capability-not-allowed',
            `a ${state.type} session cannot create nanocycles; that takes a development session`,
          );
        if (state.status !== 'active')
          throw refused(
            `session ${state.sessionId} is ${state.status}; nanocycles start in an active session (\`tevis session switch ${state.sessionId}\`)`,
          );
        if (!create || typeof create.name !== 'string') throw refused('a nanocycle needs a name');
        refuseInvalid(NanocycleCreate, create, 'nanocycle');
        // Names are unique within a session: a retried create must not make a second nanocycle
        // of the same name. Creation is serialized here, so no database index is needed for it.
        const taken = state.nanocycles.find((n) => n.name === create.name);
        if (taken) throw nameTaken(taken);
        // A goal is handed to the agent; without one it would only be queued to fail (exit 64).
        if (create.run === undefined && !execution.agent) throw agentNotConfigured(state.project);
      },
    },
  );

  setHandler(
    cancelNanocycleUpdate,
    async (id) => {
      const nc = brief(id)!;
      const queued = queue.findIndex((q) => q.id === id);
      if (queued >= 0) {
        queue.splice(queued, 1);
        await setStatus(id, 'cancelled', 'nanocycle.cancelled', { detail: 'cancelled before it started' });
      } else if (running.has(id)) {
        await getExternalWorkflowHandle(childId(id)).cancel();
        await running.get(id);
      } else {
        state.pendingHoldPoints = state.pendingHoldPoints.filter((h) => h.nanocycleId !== id);
        await setStatus(id, 'cancelled', 'nanocycle.cancelled', { detail: 'cancelled before merging' });
      }
      return { ...nc };
    },
    {
      validator: (id: string, stamp?: CommandStamp) => {
        requireStamp(state.sessionId, stamp);
        const nc = brief(id);
        if (!nc) throw refuse('not-found', `session ${state.sessionId} has no nanocycle ${id}`);
        if (FINAL.includes(nc.status)) throw refused(`${id} is already ${nc.status}`);
      },
    },
  );

  setHandler(
    mergeNanocycleUpdate,
    async (id: string, merge?: NanocycleMerge) => {
      const nc = brief(id)!;
      const hold = state.pendingHoldPoints.find((h) => h.nanocycleId === id && !CHILD_HOLDS.includes(h.kind));
      if (hold) {
        state.pendingHoldPoints = state.pendingHoldPoints.filter((h) => h !== hold);
        try {
          await answeringWrites.recordHoldPointResolved({
            sessionId: state.sessionId,
            id: hold.id,
            nanocycleId: id,
            kind: hold.kind,
            status: 'approved',
            by: merge?.by ?? 'merge',
            comment: merge?.comment ?? null,
            resolvedAt: new Date().toISOString(),
            eventKey: eventKey(),
            webhookUrl: execution.webhookUrl,
          });
        } catch (error) {
          // Not recorded, so not merged: the hold point waits as before.
          if (!state.pendingHoldPoints.includes(hold)) state.pendingHoldPoints.push(hold);
          throw unrecordedWrite(error, `the merge of ${id}`);
        }
      }
      await enqueueMerge(id);
      return { ...nc };
    },
    {
      validator: (id: string, merge?: NanocycleMerge, stamp?: CommandStamp) => {
        requireStamp(state.sessionId, stamp);
        refuseInvalid(NanocycleMerge.optional(), merge, 'merge');
        const nc = brief(id);
        if (!nc) throw refuse('not-found', `session ${state.sessionId} has no nanocycle ${id}`);
        const waitsForMerge =
          nc.status === 'completed' ||
          nc.status === 'conflict' ||
          (nc.status === 'awaiting_approval' &&
            state.pendingHoldPoints.some((h) => h.nanocycleId === id && h.kind === 'merge'));
        if (!waitsForMerge)
          throw refused(
            `${id} is ${nc.status}; only a completed nanocycle (or one in conflict) can be merged`,
          );
      },
    },
  );

  /** A person's answer, or the deadline's: recorded, then routed to whoever waits on it. */
  const resolveHold = async (
    hold: HoldPointBrief,
    decision: 'approve' | 'reject',
    comment: string | null,
    goal: string | null,
    by: string,
    writes = acts,
  ) => {
    // Out of the pending list before any await: a second answer is refused by the validator.
    state.pendingHoldPoints = state.pendingHoldPoints.filter((h) => h.id !== hold.id);
    noteActivity();
    const answer = { holdPointId: hold.id, decision, comment, goal, by };
    await writes
      .recordHoldPointResolved({
        sessionId: state.sessionId,
        id: hold.id,
        nanocycleId: hold.nanocycleId,
        kind: hold.kind,
        status: decision === 'approve' ? 'approved' : 'rejected',
        by,
        comment,
        resolvedAt: new Date().toISOString(),
        eventKey: eventKey(),
        webhookUrl: execution.webhookUrl,
      })
      .catch((error: unknown) => {
        // Not recorded, so not answered: the hold point is pending again, for the next answer.
        if (!state.pendingHoldPoints.some((h) => h.id === hold.id)) state.pendingHoldPoints.push(hold);
        throw unrecordedWrite(error, `the answer to ${hold.id}`);
      });
    if (CHILD_HOLDS.includes(hold.kind) && hold.nanocycleId) {
      await getExternalWorkflowHandle(childId(hold.nanocycleId)).signal(holdAnsweredSignal, {
        ...answer,
        to: childId(hold.nanocycleId),
      });
    } else if (hold.nanocycleId && decision === 'approve') {
      await enqueueMerge(hold.nanocycleId);
    } else if (hold.nanocycleId) {
      brief(hold.nanocycleId)!.detail = comment;
      await setStatus(hold.nanocycleId, 'rejected', 'nanocycle.rejected', { holdPointId: hold.id, comment });
    }
  };

  setHandler(
    resolveHoldPointUpdate,
    async (resolution) => {
      const hold = state.pendingHoldPoints.find((h) => h.id === resolution.holdPointId)!;
      await resolveHold(
        hold,
        resolution.decision,
        resolution.comment ?? null,
        resolution.goal ?? null,
        resolution.by ?? 'api',
        answeringWrites,
      );
      return hold;
    },
    {
      validator: (resolution, stamp?: CommandStamp) => {
        requireStamp(state.sessionId, stamp);
        const { holdPointId: _id, decision: _decision, ...answer } = resolution ?? {};
        refuseInvalid(HoldPointResolve, answer, 'answer');
        if (!state.pendingHoldPoints.some((h) => h.id === resolution?.holdPointId)) {
          throw refused(
            `hold point ${resolution?.holdPointId} is not pending in session ${state.sessionId}: it is unknown or already resolved`,
          );
        }
      },
    },
  );

  return {
    /**
     * After a recover: nanocycles whose own workflow went with the lost session workflow cannot
     * go on; they are marked failed (create them again). Completed ones can still be merged.
     */
    async failLost(): Promise<void> {
      const ownHolds = new Set(state.pendingHoldPoints.map((h) => h.nanocycleId));
      for (const nc of state.nanocycles) {
        const lost =
          nc.status === 'queued' ||
          nc.status === 'running' ||
          (nc.status === 'awaiting_approval' && !ownHolds.has(nc.id));
        if (!lost) continue;
        nc.detail = 'lost when the session workflow stopped; create it again';
        await setStatus(nc.id, 'failed', 'nanocycle.failed', { detail: nc.detail });
      }
    },
    /** True while a TPU works: the session is busy, not inactive. */
    busy: () => state.nanocycles.some((n) => n.status === 'running'),
    /** Nothing queued, running or merging: safe to continue as new. */
    idle: () => queue.length === 0 && running.size === 0 && pendingMerges === 0,
    /** Before the session ends: nothing new starts, running work is cancelled and awaited. */
    async stop(): Promise<void> {
      for (const item of queue.splice(0))
        await setStatus(item.id, 'cancelled', 'nanocycle.cancelled', { detail: 'the session ended' });
      for (const id of running.keys()) await getExternalWorkflowHandle(childId(id)).cancel();
      await Promise.all([...running.values()]);
      await merges;
      if (execution.push === 'on-end' && state.nanocycles.some((n) => n.status === 'merged'))
        await pushBranch('the session ended');
    },
  };
}
