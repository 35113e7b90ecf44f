/**
 * What a TPU run is asked to do and what it answers. Pure types and a pure name function, so the
 * workflow can import them (it builds the input and names the container for the later removal).
 */

export interface TpuLimits {
  memoryMb: number;
  cpus: number;
  pids: number;
  /**
   * What the TPU may write, in MiB: its worktree (and the sandbox's /tmp) together, and any one
   * file. Absent in settings saved before the limit existed: DEFAULT_DISK_MB then.
   */
  diskMb?: number;
}

/** Either an argv run as it is, or shell steps run one by one with `sh -c`, stopping at the first failure. */
export type TpuWork = { command: string[]; steps?: never } | { steps: string[]; command?: never };

export type TpuRunInput = TpuWork & {
  sessionId: string;
  nanocycleId: string;
  /**
   * Which run of the nanocycle's command this is (1, then 2 after an agent's hold point, …): the
   * log record numbers lines across runs and keeps this beside each.
   */
  run: number;
  /**
   * Made once in the workflow and passed unchanged to every attempt: it names the container, so a
   * retried activity finds the container of the attempt before it instead of starting another.
   */
  runId: string;
  /** The nanocycle's git worktree on the worker's (= engine's) host; the TPU's working directory. */
  worktreePath: string;
  image: string;
  /** TEVIS_GOAL, TEVIS_HOLD_ANSWER, …; TEVIS_SESSION_ID, TEVIS_NANOCYCLE_ID and TEVIS_RUN are added when absent. */
  env: Record<string, string>;
  /** Off unless the project allows it. */
  network?: boolean;
  /** The executor the project requires; absent: the worker's, whichever it is. */
  requiredExecutor?: 'docker' | 'sandbox';
  limits: TpuLimits;
  /** Counted from the container's (or process's) start, so a retry does not restart the clock. */
  timeoutSeconds: number;
  /**
   * Set for an ACP agent's run (the command is then Tevis's runner, tpu/acp/runner.ts): its stdin
   * stays open for the answers to the agent's permission requests, its `{"tevis":"acp",…}` stdout
   * lines are stored as stream `acp`, and a cancel asks the runner to cancel the turn before the
   * TPU is stopped. `runner` is the runner's bundle on the worker's host, mounted read-only at
   * ACP_RUNNER_IN_TPU; the workflow leaves it out and the activity fills it in.
   */
  acp?: { runner?: string };
};

/** Where an ACP run finds Tevis's runner inside the TPU (one file, mounted read-only). */
export const ACP_RUNNER_IN_TPU = '/opt/tevis/acp-runner.mjs';

/**
 * The executors a worker can be configured with (TEVIS_TPU_EXECUTOR). There is no unsandboxed
 * one: `none` runs nothing and fails each nanocycle with `tpu-executor-missing`.
 */
export const TPU_EXECUTOR_KINDS = ['docker', 'sandbox', 'none'] as const;
export type TpuExecutorChoice = (typeof TPU_EXECUTOR_KINDS)[number];
/** The executors that can actually run a TPU (and so appear in a result and in the record). */
export type TpuExecutorKind = Exclude<TpuExecutorChoice, 'none'>;

export interface TpuRunResult {
  exitCode: number;
  executor: TpuExecutorKind;
  /** Docker only. */
  containerId?: string;
  /** Docker only: what `removeTpuContainer` takes once the result is recorded. */
  containerName?: string;
  /** The last lines of this run (up to TAIL_LINES), for the record of a failure. */
  tail: string[];
  /** How many lines this run printed (all of them, including any written by an earlier attempt). */
  logLines: number;
  /** The seq of this run's last line in the log record (the earlier runs' last seq when it printed nothing). */
  lastSeq: number;
  /** Stopped because it ran past `timeoutSeconds`. */
  timedOut: boolean;
  /** Docker only: the kernel killed it for exceeding the memory limit. */
  oomKilled?: boolean;
  startedAt: string;
  finishedAt: string;
}

/** What the activity heartbeats: a cursor, never the output (which is in the database). */
export interface TpuHeartbeat {
  /** The seq of the last line written to the record. */
  seq: number;
  /** Which executor the attempt used: a retry keeps it, so one run never ends up in both. */
  executor: TpuExecutorKind;
  /**
   * Sent, when it can be, by an attempt that stops without a result (its worker shutting down, an
   * error Temporal retries): the next attempt says why the run restarted. Absent after a worker
   * was lost, which sends nothing more.
   */
  ending?: 'worker-shutdown' | 'attempt-failed';
}

export const TAIL_LINES = 50;

/** Where the worktree appears inside a TPU (container or sandbox); its working directory. */
export const TPU_WORKDIR = '/workspace';

/** The uid:gid a TPU runs as when the worker is root (an unprivileged user no host account uses). */
export const TPU_UID = 10001;

/**
 * `tevis-<session>-<nanocycle>-<run id>`, lowercased. Docker names allow [a-zA-Z0-9_.-]; anything
 * else in an id becomes `-`, so the name stays the same function of the ids everywhere.
 */
export function tpuContainerName(input: { sessionId: string; nanocycleId: string; runId: string }): string {
  return `tevis-${input.sessionId}-${input.nanocycleId}-${input.runId}`
    .toLowerCase()
    .replace(/[^a-z0-9_.-]/g, '-');
}
