import type { EndReason } from '../contracts/session-types.js';
import { ACTIVITY_OPTIONS } from './activity-options.js';
import type { SessionRun } from './session-run.js';

/**
 * The session's last transition, once its work has stopped: ending, its summary (the project's
 * memory), the worker's temporary files cleaned, ended. An end Update answers after it.
 */
export async function endSession(run: SessionRun, reason: EndReason): Promise<void> {
  const state = run.state;
  state.endReason = reason;
  await run.moveTo('ending', 'session.ending', { reason }, { endReason: reason });
  const endedAt = new Date().toISOString();
  const result = await run.host.run(ACTIVITY_OPTIONS.summary, (on) =>
    on.generateSessionSummary({ state, reason, endedAt }),
  );
  await run.writeEvent('summary.generated', {
    nanocyclesCompleted: result.nanocycles.completed,
    filesChanged: result.filesChanged.length,
    commits: result.commits,
    timeSpentSeconds: result.timeSpentSeconds,
  });
  await run.host.run(ACTIVITY_OPTIONS.summary, (on) =>
    on.cleanTemporaryFiles({ sessionId: state.sessionId, workspacePath: state.workspacePath }),
  );
  await run.moveTo('ended', 'session.ended', { reason }, { endedAt, endReason: reason });
  run.closed = true;
}
