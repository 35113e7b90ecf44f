import { proxyActivities } from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import type { EndReason } from '../contracts/session-types.js';
import { ACTIVITY_OPTIONS } from './activity-options.js';
import type { SessionRun } from './session-run.js';

const summary = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.summary);

/**
 * The session's last transition, once its work has stopped: ending, its summary (the project's
 * memory), the worker's temporary files cleaned, ended. An end Update answers after it.
 */
export async function endSession(run: SessionRun, reason: EndReason): Promise<void> {
  const state = run.state;
  state.endReason = reason;
  await run.moveTo('ending', 'session.ending', { reason }, { endReason: reason });
  const endedAt = new Date().toISOString();
  const result = await summary.generateSessionSummary({ state, reason, endedAt });
  await run.writeEvent('summary.generated', {
    nanocyclesCompleted: result.nanocycles.completed,
    filesChanged: result.filesChanged.length,
    commits: result.commits,
    timeSpentSeconds: result.timeSpentSeconds,
  });
  await summary.cleanTemporaryFiles({ sessionId: state.sessionId, workspacePath: state.workspacePath });
  await run.moveTo('ended', 'session.ended', { reason }, { endedAt, endReason: reason });
  run.closed = true;
}
