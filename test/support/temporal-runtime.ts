import { DefaultLogger, Runtime } from '@temporalio/worker';

let runtimeInstalled = false;
/** The SDK's native runtime logs every worker state change at INFO; keep only warnings. Once per process. */
export function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed (or instantiated) by someone else in this process: keep theirs.
  }
}
