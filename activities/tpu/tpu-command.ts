import type { TpuRunInput } from './tpu-spec.js';

/**
 * Runs each step with its own `sh -c`, in order, and exits with the first failing step's code.
 * The steps travel as positional arguments, never spliced into the script, so no quoting of a
 * user's step can change what runs. Each step is echoed first, as CI logs do, so the record shows
 * which step printed what.
 */
const STEPS_SCRIPT = 'for step do printf "\\$ %s\\n" "$step"; sh -c "$step" || exit $?; done';

/** The argv a TPU executes, the same for both executors. */
export function tpuArgv(input: TpuRunInput): string[] {
  if (input.command !== undefined) {
    if (input.command.length === 0) throw new Error('a TPU command needs at least the program to run');
    return input.command;
  }
  if (input.steps.length === 0) throw new Error('a TPU run needs at least one step');
  return ['sh', '-c', STEPS_SCRIPT, 'tevis-steps', ...input.steps];
}

/** The run's own variables over the ids every TPU gets. */
export function tpuEnv(input: TpuRunInput): Record<string, string> {
  return {
    TEVIS_SESSION_ID: input.sessionId,
    TEVIS_NANOCYCLE_ID: input.nanocycleId,
    TEVIS_RUN: String(input.run),
    ...input.env,
  };
}
