import type { Database } from '../../db/database.js';
import type { RunStdinDelivery, RunStdinTarget } from './run-stdin.js';
import type { TpuExecutorChoice, TpuRunInput, TpuRunResult } from './tpu-spec.js';

/**
 * Where TPUs run: one implementation per kind (docker-executor.ts, sandbox-executor.ts,
 * no-executor.ts), one instance chosen at worker start (choose-executor.ts) and used for every
 * run of that worker. A third kind is one more file implementing this.
 */
export interface TpuExecutor {
  readonly kind: TpuExecutorChoice;
  /**
   * What `tevis status` shows: this executor and whether it can run a TPU now. Throws (with the
   * fix in the message) when it cannot.
   */
  check(): Promise<string>;
  /**
   * Before each run, before the record names this executor: throws when it cannot run a TPU now
   * (`tpu-engine-unreachable`, `tpu-executor-missing`), so the record never claims a run that
   * did not happen.
   */
  ready(): Promise<void>;
  /**
   * Runs one TPU run to its end: output into the record through a LogRecorder, the cursor in the
   * activity's heartbeat, cancellation from the activity context. Fails with one of
   * TPU_FAILURE_TYPES when the run did not reach an exit code of its own.
   */
  run(input: TpuRunInput): Promise<TpuRunResult>;
  /**
   * Writes `text` to the stdin of an ACP run that is still running (the answer to its agent's
   * permission request). Not delivered, and said why, when the run has ended or restarted.
   */
  tell(target: RunStdinTarget, text: string): Promise<RunStdinDelivery>;
  /** Removes what a finished run left behind (its container); idempotent, harmless when there is nothing. */
  release(containerName: string): Promise<{ removed: boolean }>;
  /** At worker start: removes what runs of nanocycles that are final in the record left behind. */
  sweep(db: Database): Promise<{ removed: string[] }>;
}
