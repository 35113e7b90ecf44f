import type { RunStdinDelivery } from './run-stdin.js';
import type { TpuExecutor } from './tpu-executor.js';
import { executorMissing } from './tpu-failures.js';

/**
 * The executor of a worker that has none it may use (TEVIS_TPU_EXECUTOR=none, or neither a
 * container engine nor bubblewrap at start): every run fails with `tpu-executor-missing` naming
 * the fix. It exists so that "no sandbox" is a failure, never a reason to run unsandboxed.
 */
export class NoTpuExecutor implements TpuExecutor {
  readonly kind = 'none' as const;

  constructor(private readonly why: string) {}

  async check(): Promise<string> {
    throw executorMissing(this.why);
  }

  async ready(): Promise<void> {
    throw executorMissing(this.why);
  }

  async run(): Promise<never> {
    throw executorMissing(this.why);
  }

  async tell(): Promise<RunStdinDelivery> {
    return { delivered: false, why: 'this worker runs no TPUs' };
  }

  async release(): Promise<{ removed: boolean }> {
    return { removed: false };
  }

  async sweep(): Promise<{ removed: string[] }> {
    return { removed: [] };
  }
}
