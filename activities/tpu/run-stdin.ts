/**
 * What an ACP run is told on its stdin (tpu/acp/control-input.ts reads it): the answer to the
 * agent's permission request, or a cancel of its turn. One JSON object a line.
 */
export type RunStdinLine =
  | { optionId: string; requestId: number; comment?: string }
  | { cancelled: true; requestId: number; comment?: string }
  | { cancel: true };

/** Which run to tell: the ids name its container (docker) or its live process (sandbox). */
export interface RunStdinTarget {
  sessionId: string;
  nanocycleId: string;
  runId: string;
  /**
   * The attempt whose runner asked (from the stored line). A sandbox run restarted since then is
   * another runner that never asked: it is not told. A container outlives attempts, so docker
   * ignores it.
   */
  attempt?: number;
}

export interface RunStdinDelivery {
  delivered: boolean;
  /** Why not, when not: said on the nanocycle's timeline by the workflow. */
  why?: string;
}

/** How long a cancelled ACP agent gets to end its turn, told on stdin, before its TPU is stopped. */
export const ACP_CANCEL_GRACE_MS = 10_000;

export function stdinText(line: RunStdinLine): string {
  return `${JSON.stringify(line)}\n`;
}
