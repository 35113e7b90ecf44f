import { join } from 'node:path';
import type { Database } from '../../db/database.js';
import { acpRunnerBundle } from '../../tpu/acp/runner-bundle.js';
import { activityLog } from '../activity-log.js';
import { acpPromptContext } from './acp-prompt-context.js';
import { setNanocycleExecutor } from '../../db/nanocycles-store.js';
import { currentTpuContext } from './activity-context.js';
import type { TpuExecutor } from './tpu-executor.js';
import { executorMismatch, executorNotAllowed } from './tpu-failures.js';
import type { TpuRunInput, TpuRunResult } from './tpu-spec.js';

/**
 * An ACP run gets the runner's bundle to mount and the session's context for its prompt. The
 * bundle is kept in the worker's home: the engine mounts it by the worker's path, which a worker
 * in a container shares with its engine's host only there (as it does the worktrees).
 */
async function withAcpRunner(db: Database, input: TpuRunInput, home?: string): Promise<TpuRunInput> {
  const [runner, context] = await Promise.all([
    acpRunnerBundle(home ? join(home, 'acp-runner') : undefined),
    acpPromptContext(db, input),
  ]);
  return { ...input, acp: { runner }, env: { ...input.env, TEVIS_ACP_CONTEXT: context } };
}

/**
 * One TPU run on the worker's executor, the record saying which executor ran it. A retried attempt
 * must reach the executor of the attempt before it (from the heartbeat): a run whose container may
 * still be running must never also start in a sandbox, so on another worker it fails, retryably.
 */
export async function runTpu(
  executor: TpuExecutor,
  db: Database,
  input: TpuRunInput,
  home?: string,
): Promise<TpuRunResult> {
  const previous = currentTpuContext().lastHeartbeat?.executor;
  if (input.requiredExecutor && input.requiredExecutor !== executor.kind)
    throw executorNotAllowed(input.requiredExecutor, executor.kind);
  if (previous && previous !== executor.kind) throw executorMismatch(previous, executor.kind);
  await executor.ready();
  await setNanocycleExecutor(db, input.sessionId, input.nanocycleId, executor.kind);
  const log = activityLog();
  log.info('TPU run started', { executor: executor.kind, attempt: currentTpuContext().attempt });
  const result = await executor.run(input.acp ? await withAcpRunner(db, input, home) : input);
  log.info('TPU run ended', {
    executor: executor.kind,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    logLines: result.logLines,
  });
  return result;
}
