import type { StopReason } from '@agentclientprotocol/sdk';

/**
 * How the in-TPU ACP runner (tpu/acp/runner.ts) exits, one code per way a turn can end, so a worker
 * that only sees the container's exit code still knows what happened. None is 75: that code stays
 * the plain commands' "ask for a hold point" protocol (activities/tpu/tpu-spec.ts).
 */
export const RUNNER_EXIT = {
  /** The prompt turn ended with `end_turn`: the agent finished. */
  endTurn: 0,
  /** The turn was cancelled (SIGTERM, a `{"cancel":true}` line, or the agent's own `cancelled`). */
  cancelled: 20,
  /** The agent refused to go on (`refusal`). */
  refused: 21,
  /** The agent stopped at one of its limits (`max_tokens`, `max_turn_requests`). */
  limit: 22,
  /** The agent could not start, exited, broke the protocol or failed a request before the turn ended. */
  agentCrashed: 23,
  /** The runner was started wrongly: no agent command, an unreadable context file or root. */
  usage: 64,
} as const;

/** The end reasons the final `end` line names: ACP's stop reasons plus the runner's own. */
export type RunnerEndReason = StopReason | 'agent_crashed' | 'usage';

const EXIT_BY_REASON: Record<RunnerEndReason, number> = {
  end_turn: RUNNER_EXIT.endTurn,
  cancelled: RUNNER_EXIT.cancelled,
  refusal: RUNNER_EXIT.refused,
  max_tokens: RUNNER_EXIT.limit,
  max_turn_requests: RUNNER_EXIT.limit,
  agent_crashed: RUNNER_EXIT.agentCrashed,
  usage: RUNNER_EXIT.usage,
};

export function exitCodeFor(reason: RunnerEndReason): number {
  return EXIT_BY_REASON[reason];
}
