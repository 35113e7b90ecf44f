import {
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import { ACTIVITY_OPTIONS, AGENT_ANSWER_OPTIONS, tpuActivityOptions } from './activity-options.js';
import { checksSealedCommands, isGenuineArgument, requireGenuineNanocycleStart } from './command-guard.js';
import { failureMessage } from './failure-message.js';
import type { NanocycleWorkflowInput } from './nanocycle-input.js';
import { holdAnsweredSignal } from './nanocycle-messages.js';
import type { NanocycleOutcome } from './nanocycle-outcome.js';
import { NanocycleReporter } from './nanocycle-reporter.js';
import { isAcpRun, tpuRunFailure, tpuRunRequest } from './tpu-run-request.js';
import { runAgentTurn } from './acp-agent-turn.js';
import { isHostLost, workspaceActivities } from './workspace-host.js';
import { DEFAULT_HOST_LOST_SECONDS } from '../contracts/worker-hosts.js';

const records = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.records);

/** Exit code by which an agent asks a person (see activities/agent-hold-request.ts). */
const AGENT_HOLD_EXIT_CODE = 75;
const MAX_AGENT_QUESTIONS = 20;

export type { NanocycleOutcome } from './nanocycle-outcome.js';

/**
 * One nanocycle, on its own branch and worktree:
 *
 *   worktree → (hold `plan`) → TPU run ⟲ (hold `agent` on exit 75) → commit → completed
 *
 * An ACP agent's run is one prompt turn instead, its `agent` hold points opened while it runs
 * (acp-agent-turn.ts).
 *
 * Merging is the session's business (its merge queue merges one at a time); this workflow ends
 * when the work is committed, failed, rejected or cancelled, and reports how.
 */
export async function nanocycleWorkflow(input: NanocycleWorkflowInput): Promise<NanocycleOutcome> {
  // Before anything else: a nanocycle not started by its session fails here, having done nothing.
  const sealedCommands = checksSealedCommands();
  if (sealedCommands) requireGenuineNanocycleStart(input);
  const reporter = new NanocycleReporter(input);
  const acp = isAcpRun(input);
  setHandler(holdAnsweredSignal, (answer) => {
    // Only the session answers (sealed), addressed to this nanocycle: a plaintext answer, or a
    // sealed one copied from another session's history (hold ids repeat), is ignored.
    if (!isGenuineArgument(answer)) return;
    if (sealedCommands && answer.to !== workflowInfo().workflowId) return;
    reporter.answers.set(answer.holdPointId, answer);
  });
  // Every step touches the worktree or its container: all run on the workspace's host.
  const where = { workspaceHost: input.workspaceHost, execution: input.execution };
  const tpu = workspaceActivities(where, tpuActivityOptions(input.execution.timeoutSeconds, acp));
  const git = workspaceActivities(where, ACTIVITY_OPTIONS.nanocycleGit);
  // An ACP agent's answers go to its run's stdin, which only the workspace's host can reach.
  const answers = workspaceActivities(where, AGENT_ANSWER_OPTIONS);
  // Removing a container is the engine's business on the host that runs it.
  const containers = input.workspaceHost ? workspaceActivities(where, ACTIVITY_OPTIONS.records) : records;

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
      const answer = await reporter.ask(
        'plan',
        `approve the plan of ${input.nanocycleId} (${input.name}): ${goal ?? (input.run ?? []).join(' && ')}`,
      );
      if (answer.decision === 'reject') return await reporter.finish('rejected', { detail: answer.comment });
      goal = answer.goal ?? goal;
    }

    let holdAnswer: string | null = null;
    for (let run = 1; ; run++) {
      await reporter.startRun(run);
      const request = tpuRunRequest(input, run, worktree.path, goal, holdAnswer);
      const result = acp
        ? await runAgentTurn(request, { runTpu: tpu.runTpu, tellAgent: answers.tellAgent }, reporter)
        : await tpu.runTpu(request);
      reporter.executor = result.executor;
      if (result.containerName) {
        const name = result.containerName;
        // A cancel (or a session end) that arrives just as the run finished must not skip the
        // removal: in a cancelled scope the activity would never be scheduled and the container
        // would outlive its nanocycle. Histories from before this ran it cancellable.
        if (patched('tpu-container-removal-not-cancellable'))
          await CancellationScope.nonCancellable(() => containers.removeTpuContainer(name));
        else await containers.removeTpuContainer(name);
      }
      reporter.tpuSeconds += Math.max(
        0,
        (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000,
      );
      if (result.exitCode === 0) break;
      // An ACP agent asks through the protocol, never by exit code (its runner never exits 75).
      if (!acp && result.exitCode === AGENT_HOLD_EXIT_CODE && run <= MAX_AGENT_QUESTIONS) {
        const { reason } = await git.readAgentHoldRequest({ worktree: worktree.path });
        const answer = await reporter.ask('agent', reason, run);
        if (answer.decision === 'reject')
          return await reporter.finish('rejected', { detail: answer.comment });
        holdAnswer = answer.comment ?? 'approved';
        continue;
      }
      return await reporter.finish('failed', {
        detail: tpuRunFailure(result, input.execution.timeoutSeconds, acp),
      });
    }

    const committed = await git.commitNanocycle({
      path: worktree.path,
      message: `${input.nanocycleId}: ${input.name}`,
    });
    return await reporter.finish('completed', {
      commit: committed.commit,
      filesChanged: committed.files.length,
    });
  } catch (error) {
    if (isCancellation(error)) {
      return CancellationScope.nonCancellable(() =>
        reporter.finish('cancelled', { detail: 'cancelled by request' }),
      );
    }
    if (input.workspaceHost && isHostLost(error)) {
      const seconds = input.execution.hostLostSeconds ?? DEFAULT_HOST_LOST_SECONDS;
      return reporter.finish('failed', {
        detail: `its worker host ${input.workspaceHost} took none of its work for ${seconds} s and is taken for lost; the session moves its workspace to another host: create the nanocycle again`,
        hostLost: input.workspaceHost,
      });
    }
    return reporter.finish('failed', { detail: failureMessage(error) });
  }
}
