import { uuid4 } from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
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
    ...(input.run ? { steps: input.run } : { command: ['sh', '-c', input.execution.agent ?? NO_AGENT] }),
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

/** Why a run that did not exit 0 (nor asked a question) failed, with the end of its output. */
export function tpuRunFailure(result: TpuRunResult, timeoutSeconds: number): string {
  const why = result.timedOut
    ? `timed out after ${timeoutSeconds} s`
    : result.oomKilled
      ? 'killed for exceeding its memory limit'
      : `exit code ${result.exitCode}`;
  return `${why}\n${result.tail.slice(-20).join('\n')}`;
}
