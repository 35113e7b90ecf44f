import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import {
  holdPointId,
  type HoldPointAnswer,
  type HoldPointKind,
  type NanocycleStatus,
} from '../contracts/nanocycle.js';
import type { NanocycleBrief } from '../contracts/session-state.js';
import type { TimelineEventType } from '../contracts/timeline.js';
import { checksSealedCommands, isGenuineArgument, requireGenuineNanocycleStart } from './command-guard.js';
import type { NanocycleWorkflowInput } from './nanocycle-input.js';
import { holdAnsweredSignal, holdOpenedSignal, nanocycleProgressSignal } from './nanocycle-messages.js';

const records = proxyActivities<SessionActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

const git = proxyActivities<SessionActivities>({
  startToCloseTimeout: '10 minutes',
  // The git activities heartbeat while git runs: a lost worker is noticed in seconds, not minutes.
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/** Exit code by which an agent asks a person (see activities/agent-hold-request.ts). */
const AGENT_HOLD_EXIT_CODE = 75;
const MAX_AGENT_QUESTIONS = 20;

export interface NanocycleOutcome {
  status: Extract<NanocycleStatus, 'completed' | 'failed' | 'cancelled' | 'rejected'>;
  commit: string | null;
  filesChanged: number;
  executor: string | null;
  tpuSeconds: number;
  detail: string | null;
}

/**
 * One nanocycle, on its own branch and worktree:
 *
 *   worktree → (hold `plan`) → TPU run ⟲ (hold `agent` on exit 75) → commit → completed
 *
 * Merging is the session's business (its merge queue merges one at a time); this workflow ends
 * when the work is committed, failed, rejected or cancelled, and reports how.
 */
export async function nanocycleWorkflow(input: NanocycleWorkflowInput): Promise<NanocycleOutcome> {
  // Before anything else: a nanocycle not started by its session fails here, having done nothing.
  const sealedCommands = checksSealedCommands();
  if (sealedCommands) requireGenuineNanocycleStart(input);
  const answers = new Map<string, HoldPointAnswer>();
  setHandler(holdAnsweredSignal, (answer) => {
    // Only the session answers (sealed), addressed to this nanocycle: a plaintext answer, or a
    // sealed one copied from another session's history (hold ids repeat), is ignored.
    if (!isGenuineArgument(answer)) return;
    if (sealedCommands && answer.to !== workflowInfo().workflowId) return;
    answers.set(answer.holdPointId, answer);
  });
  const session = getExternalWorkflowHandle(input.sessionWorkflowId);
  const tpu = proxyActivities<SessionActivities>({
    startToCloseTimeout: `${input.execution.timeoutSeconds + 300} seconds`,
    // A dead worker is noticed in seconds; the retry re-attaches to the running container.
    heartbeatTimeout: '20 seconds',
    // Cancelling waits until the container is stopped and removed.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: '2 seconds',
      maximumInterval: '30 seconds',
      maximumAttempts: 5,
      nonRetryableErrorTypes: ['tpu-image-missing'],
    },
  });

  let eventNumber = 0;
  const eventKey = () => `${workflowInfo().runId}:${++eventNumber}`;
  let signalNumber = 0;
  const origin = () => ({ from: workflowInfo().workflowId, seq: ++signalNumber });
  const now = () => new Date().toISOString();
  let executor: string | null = null;
  let tpuSeconds = 0;

  const record = async (
    status: NanocycleStatus,
    type: TimelineEventType | null,
    data: Record<string, unknown> = {},
    extra: {
      startedAt?: string;
      finishedAt?: string;
      executor?: string | null;
      data?: Record<string, unknown>;
    } = {},
  ) => {
    await records.recordNanocycle({
      nanocycle: {
        sessionId: input.sessionId,
        id: input.nanocycleId,
        name: input.name,
        goal: input.goal,
        branch: input.branch,
        status,
        ...extra,
      },
      event: type
        ? {
            sessionId: input.sessionId,
            type,
            data: { nanocycleId: input.nanocycleId, ...data },
            key: eventKey(),
          }
        : undefined,
    });
    const progress: Partial<NanocycleBrief> & { id: string } = {
      id: input.nanocycleId,
      status,
      executor,
      tpuSeconds,
    };
    await session.signal(nanocycleProgressSignal, { ...progress, ...origin() });
  };

  const ask = async (kind: HoldPointKind, reason: string, attempt?: number): Promise<HoldPointAnswer> => {
    const id = holdPointId(input.nanocycleId, kind, attempt);
    const openedAt = now();
    // The session learns of the hold point before the record shows it to anyone, so an answer
    // that follows the record never reaches a session that does not know the hold point yet.
    await session.signal(holdOpenedSignal, {
      id,
      nanocycleId: input.nanocycleId,
      kind,
      reason,
      openedAt,
      ...origin(),
    });
    await records.recordHoldPointOpened({
      sessionId: input.sessionId,
      id,
      nanocycleId: input.nanocycleId,
      kind,
      reason,
      openedAt,
      eventKey: eventKey(),
      webhookUrl: input.execution.webhookUrl,
    });
    await record('awaiting_approval', null);
    await condition(() => answers.has(id));
    return answers.get(id)!;
  };

  const finish = async (
    status: NanocycleOutcome['status'],
    outcome: Partial<NanocycleOutcome> = {},
  ): Promise<NanocycleOutcome> => {
    const result: NanocycleOutcome = {
      status,
      commit: null,
      filesChanged: 0,
      executor,
      tpuSeconds,
      detail: null,
      ...outcome,
    };
    await record(
      status,
      `nanocycle.${status}`,
      { commit: result.commit, filesChanged: result.filesChanged, detail: result.detail, tpuSeconds },
      {
        finishedAt: now(),
        executor,
        data: { commit: result.commit, filesChanged: result.filesChanged, tpuSeconds, detail: result.detail },
      },
    );
    return result;
  };

  try {
    const worktree = await git.createNanocycleWorktree({
      sessionId: input.sessionId,
      nanocycleId: input.nanocycleId,
      workspace: input.workspace,
      branch: input.branch,
      base: input.base,
    });
    let goal = input.goal;
    if (input.holdPlan) {
      const answer = await ask(
        'plan',
        `approve the plan of ${input.nanocycleId} (${input.name}): ${goal ?? (input.run ?? []).join(' && ')}`,
      );
      if (answer.decision === 'reject') return await finish('rejected', { detail: answer.comment });
      goal = answer.goal ?? goal;
    }

    let holdAnswer: string | null = null;
    for (let run = 1; ; run++) {
      await record(
        'running',
        run === 1 ? 'nanocycle.started' : null,
        { branch: input.branch, run },
        run === 1 ? { startedAt: now() } : {},
      );
      const result = await tpu.runTpu({
        sessionId: input.sessionId,
        nanocycleId: input.nanocycleId,
        run,
        // Made here, once per run: stable across the activity's retries (which re-attach to
        // the container by this name) and never reused by another run.
        runId: uuid4().slice(0, 8),
        worktreePath: worktree.path,
        image: input.execution.image,
        ...(input.run
          ? { steps: input.run }
          : {
              command: [
                'sh',
                '-c',
                input.execution.agent ??
                  'echo "no agent command configured for this project; set one with tevis project update --agent" >&2; exit 64',
              ],
            }),
        env: {
          TEVIS_GOAL: goal ?? '',
          TEVIS_SESSION_ID: input.sessionId,
          TEVIS_NANOCYCLE_ID: input.nanocycleId,
          ...(holdAnswer !== null ? { TEVIS_HOLD_ANSWER: holdAnswer } : {}),
        },
        network: input.execution.network,
        ...(input.execution.executor ? { requiredExecutor: input.execution.executor } : {}),
        limits: input.execution.limits,
        timeoutSeconds: input.execution.timeoutSeconds,
      });
      executor = result.executor;
      if (result.containerName) {
        const name = result.containerName;
        // A cancel (or a session end) that arrives just as the run finished must not skip the
        // removal: in a cancelled scope the activity would never be scheduled and the container
        // would outlive its nanocycle. Histories from before this ran it cancellable.
        if (patched('tpu-container-removal-not-cancellable'))
          await CancellationScope.nonCancellable(() => records.removeTpuContainer(name));
        else await records.removeTpuContainer(name);
      }
      tpuSeconds += Math.max(0, (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000);
      if (result.exitCode === 0) break;
      if (result.exitCode === AGENT_HOLD_EXIT_CODE && run <= MAX_AGENT_QUESTIONS) {
        const { reason } = await git.readAgentHoldRequest({ worktree: worktree.path });
        const answer = await ask('agent', reason, run);
        if (answer.decision === 'reject') return await finish('rejected', { detail: answer.comment });
        holdAnswer = answer.comment ?? 'approved';
        continue;
      }
      const why = result.timedOut
        ? `timed out after ${input.execution.timeoutSeconds} s`
        : result.oomKilled
          ? 'killed for exceeding its memory limit'
          : `exit code ${result.exitCode}`;
      return await finish('failed', { detail: `${why}\n${result.tail.slice(-20).join('\n')}` });
    }

    const committed = await git.commitNanocycle({
      path: worktree.path,
      message: `${input.nanocycleId}: ${input.name}`,
    });
    return await finish('completed', { commit: committed.commit, filesChanged: committed.files.length });
  } catch (error) {
    if (isCancellation(error)) {
      return CancellationScope.nonCancellable(() => finish('cancelled', { detail: 'cancelled by request' }));
    }
    const message =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    return finish('failed', { detail: message });
  }
}
