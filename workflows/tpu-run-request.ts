import { uuid4 } from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import { ACP_RUNNER_IN_TPU } from '../activities/tpu/tpu-spec.js';
import { RUNNER_EXIT } from '../tpu/acp/exit-codes.js';
import type { NanocycleWorkflowInput } from './nanocycle-input.js';

type RunTpu = SessionActivities['runTpu'];
export type TpuRunRequest = Parameters<RunTpu>[0];
export type TpuRunResult = Awaited<ReturnType<RunTpu>>;

/** Shown (and exit 64) when a goal reaches a session whose project has no agent command. */
const NO_AGENT =
  'echo "no agent command configured for this project; set one with tevis project update --agent" >&2; exit 64';

/**
 * Run `run` of a nanocycle's TPU: its run steps, or the project's agent with the goal, and the
 * answer to the agent's last question when there is one.
 */
export function tpuRunRequest(
  input: NanocycleWorkflowInput,
  run: number,
  worktreePath: string,
  goal: string | null,
  holdAnswer: string | null,
): TpuRunRequest {
  return {
    sessionId: input.sessionId,
    nanocycleId: input.nanocycleId,
    run,
    // Made here, once per run: stable across the activity's retries (which re-attach to
    // the container by this name) and never reused by another run.
    runId: uuid4().slice(0, 8),
    worktreePath,
    image: input.execution.image,
    ...(input.run ? { steps: input.run } : { command: agentCommand(input) }),
    ...(isAcpRun(input) ? { acp: {} } : {}),
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
  };
}

/** A goal's run whose agent speaks ACP: Tevis's runner in the TPU starts it and speaks for Tevis. */
export function isAcpRun(input: NanocycleWorkflowInput): boolean {
  return !input.run && input.execution.agentProtocol === 'acp' && Boolean(input.execution.agent);
}

function agentCommand(input: NanocycleWorkflowInput): string[] {
  const agent = ['sh', '-c', input.execution.agent ?? NO_AGENT];
  return isAcpRun(input) ? ['node', ACP_RUNNER_IN_TPU, '--', ...agent] : agent;
}

/** What an ACP runner's exit code says about the agent's turn (tpu/acp/exit-codes.ts). */
const ACP_ENDINGS: Record<number, string> = {
  [RUNNER_EXIT.cancelled]: "the agent's turn was cancelled",
  [RUNNER_EXIT.refused]: 'the agent refused to go on (refusal)',
  [RUNNER_EXIT.limit]: 'the agent stopped at one of its limits (max_tokens or max_turn_requests)',
  [RUNNER_EXIT.agentCrashed]: 'the agent could not start, exited or broke the protocol',
  [RUNNER_EXIT.usage]: 'the ACP runner was started wrongly',
  127: 'node was not found in the TPU image: an ACP agent needs an image with Node (tevis tpu build-image --node)',
};

/** Why a run that did not exit 0 (nor asked a question) failed, with the end of its output. */
export function tpuRunFailure(result: TpuRunResult, timeoutSeconds: number, acp = false): string {
  const why = result.timedOut
    ? `timed out after ${timeoutSeconds} s`
    : result.oomKilled
      ? 'killed for exceeding its memory limit'
      : acp && ACP_ENDINGS[result.exitCode]
        ? `${ACP_ENDINGS[result.exitCode]} (exit code ${result.exitCode})`
        : `exit code ${result.exitCode}`;
  return `${why}\n${result.tail.slice(-20).join('\n')}`;
}
