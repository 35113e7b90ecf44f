import { formatDuration } from '../../contracts/durations.js';
import type { SessionSummary } from '../../contracts/summary.js';

const REASONS: Record<SessionSummary['reason'], string> = {
  user: 'ended by the user',
  inactivity: 'ended after inactivity',
  failed: 'ended by a failure',
};

/** The numbers a user wants right after `session end`; the full Markdown is one command away. */
export function renderSummaryHeadline(summary: SessionSummary): string {
  const added = summary.filesChanged.reduce((n, f) => n + f.additions, 0);
  const deleted = summary.filesChanged.reduce((n, f) => n + f.deletions, 0);
  return [
    `Session ${summary.sessionId} (${summary.project}) ${REASONS[summary.reason]}.`,
    `  Time spent:  ${formatDuration(summary.timeSpentSeconds)}`,
    `  Nanocycles:  ${summary.nanocycles.completed} completed of ${summary.nanocycles.total}`,
    `  Commits:     ${summary.commits}`,
    `  Files:       ${summary.filesChanged.length} changed (+${added} −${deleted})`,
    `Full summary: tevis session summary ${summary.sessionId}`,
  ].join('\n');
}
