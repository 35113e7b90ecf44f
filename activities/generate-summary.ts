import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDuration } from '../contracts/durations.js';
import type { SessionWorkflowState } from '../contracts/session-state.js';
import type { EndReason } from '../contracts/session-types.js';
import type { SessionSummary } from '../contracts/summary.js';
import type { TimelineEventData } from '../contracts/timeline.js';
import type { Database } from '../db/database.js';
import { listHoldPoints } from '../db/hold-points-store.js';
import { listNanocycles, toNanocycleBrief } from '../db/nanocycles-store.js';
import { saveSummary } from '../db/summaries-store.js';
import { listEvents } from '../db/timeline-store.js';
import { parseNumstat } from '../git/diff-range.js';
import { hasWorkspaceRepository, workspaceRepository } from '../git/repository.js';
import { runGit } from '../git/run-git.js';
import { readWorkspaceState } from '../git/workspace-state.js';

export interface GenerateSummaryInput {
  state: SessionWorkflowState;
  reason: EndReason;
  endedAt: string;
}

const COMPLETED_STATUSES = new Set(['completed', 'merged']);

async function filesChangedSince(
  workspace: string,
  startCommit: string | null,
): Promise<SessionSummary['filesChanged']> {
  if (!startCommit || !hasWorkspaceRepository(workspace)) return [];
  const repo = workspaceRepository(workspace);
  // Against the working tree, so work that was never committed still shows in the summary.
  const numstat = await runGit(
    ['diff', '--no-ext-diff', '--no-textconv', '--numstat', '-z', '--no-renames', startCommit, '--'],
    { repo },
  ).catch(() => '');
  const files: SessionSummary['filesChanged'] = parseNumstat(numstat);
  // `git diff` does not see new files that were never added (a file written through the API):
  // they are changes too, every line an addition. The session's own scratch space is not.
  const untracked = await runGit(['ls-files', '--others', '--exclude-standard', '-z'], { repo }).catch(
    () => '',
  );
  for (const path of untracked.split('\0')) {
    if (!path || path === '.tevis/tmp' || path.startsWith('.tevis/tmp/')) continue;
    files.push({ path, additions: await countLines(join(workspace, path)), deletions: 0 });
  }
  return files;
}

/** Lines of a new file as `git diff --numstat` would count them: 0 for binary or huge files. */
async function countLines(file: string): Promise<number> {
  try {
    const info = await lstat(file);
    if (!info.isFile() || info.size > 8 * 1024 * 1024) return info.isSymbolicLink() ? 1 : 0;
    const content = await readFile(file);
    if (content.includes(0)) return 0;
    if (content.length === 0) return 0;
    let lines = 0;
    for (const byte of content) if (byte === 0x0a) lines++;
    return content[content.length - 1] === 0x0a ? lines : lines + 1;
  } catch {
    return 0;
  }
}

function renderMarkdown(s: Omit<SessionSummary, 'markdown'>): string {
  const lines = [
    `# Session ${s.sessionId} — ${s.project}`,
    '',
    `- Type: ${s.type} · Branch: ${s.branch}`,
    `- Started: ${s.startedAt} · Ended: ${s.endedAt} (${s.reason === 'inactivity' ? 'ended after inactivity' : s.reason === 'failed' ? 'ended by a failure' : 'ended by the user'})`,
    `- Time spent: ${formatDuration(s.timeSpentSeconds)}`,
    `- Nanocycles: ${s.nanocycles.completed} completed of ${s.nanocycles.total}`,
    `- Commits: ${s.commits} · Files changed: ${s.filesChanged.length}`,
    '',
  ];
  if (s.filesChanged.length) {
    lines.push('## Files changed', '');
    for (const f of s.filesChanged.slice(0, 200))
      lines.push(`- \`${f.path}\` (+${f.additions} −${f.deletions})`);
    lines.push('');
  }
  if (s.nanocycles.items?.length) {
    lines.push('## Nanocycles', '');
    for (const n of s.nanocycles.items)
      lines.push(
        `- ${n.id}: ${n.status} (${n.name}) · ${n.filesChanged} file(s)${n.commit ? ` · ${n.commit.slice(0, 10)}` : ''} · TPU ${n.tpuSeconds}s`,
      );
    lines.push('');
  }
  if (s.pushFailures?.length) {
    lines.push('## Pushes that failed', '');
    for (const p of s.pushFailures)
      lines.push(
        `- ${p.branch}${p.commit ? ` at ${p.commit.slice(0, 10)}` : ''} (${p.why}): ${p.error.split('\n')[0]}`,
      );
    lines.push('');
  }
  if (s.review) lines.push('## Review', '', `- ${reviewLine(s.branch, s.review)}`, '');
  lines.push('## Metrics', '');
  for (const [name, value] of Object.entries(s.metrics)) lines.push(`- ${name}: ${value}`);
  return `${lines.join('\n')}\n`;
}

/** The review session's decision in a line: what happened to the branch, by whom, why. */
function reviewLine(branch: string, review: NonNullable<SessionSummary['review']>): string {
  const who = review.decidedBy ? ` by ${review.decidedBy}` : '';
  const why = review.comment ? ` — "${review.comment}"` : '';
  switch (review.status) {
    case 'merged':
      return `${branch} merged into ${review.base}${review.mergeCommit ? ` at ${review.mergeCommit.slice(0, 10)}` : ''}${who}${why}`;
    case 'rejected':
      return `${branch} rejected${who}${why}; nothing merged into ${review.base}`;
    case 'conflict':
      return `${branch} conflicts with ${review.base} in ${review.conflicts.join(', ')}; nothing merged`;
    default:
      return `${branch} → ${review.base}: no decision (${review.status})`;
  }
}

/** Writes the summary (Markdown and JSON) to the record and the project's memory. */
export async function generateSessionSummary(
  db: Database,
  input: GenerateSummaryInput,
): Promise<SessionSummary> {
  const { state } = input;
  const workspace = state.workspacePath ? await readWorkspaceState(state.workspacePath) : null;
  const exists = workspace?.gitStatus !== 'missing' && workspace !== null;
  const [filesChanged, commitCount, ncRows, events, holds] = await Promise.all([
    exists ? filesChangedSince(state.workspacePath!, state.startCommit) : Promise.resolve([]),
    exists && state.startCommit
      ? runGit(['rev-list', '--count', `${state.startCommit}..HEAD`], {
          repo: workspaceRepository(state.workspacePath!),
        }).then(
          (n) => Number(n.trim()) || 0,
          () => 0,
        )
      : Promise.resolve(0),
    listNanocycles(db, state.sessionId),
    listEvents(db, state.sessionId, 0, 100_000),
    listHoldPoints(db, state.sessionId),
  ]);
  const items = ncRows.map(toNanocycleBrief).map((n) => ({
    id: n.id,
    name: n.name,
    status: n.status,
    commit: n.commit ?? null,
    filesChanged: n.filesChanged ?? 0,
    tpuSeconds: Math.round((n.tpuSeconds ?? 0) * 10) / 10,
  }));
  // A hold point still open when the session ends has waited until now.
  const holdWaitSeconds = Math.round(
    holds.reduce((sum, h) => sum + (Date.parse(h.resolvedAt ?? input.endedAt) - Date.parse(h.openedAt)), 0) /
      1000,
  );
  const byStatus: Record<string, number> = {};
  for (const nc of ncRows) byStatus[nc.status] = (byStatus[nc.status] ?? 0) + 1;
  const timeSpentSeconds = Math.max(
    0,
    Math.round((Date.parse(input.endedAt) - Date.parse(state.startedAt)) / 1000),
  );
  const pausedSeconds = pausedTime(events, input.endedAt);
  const pushFailures = events.flatMap((e) => (e.type === 'branch.push_failed' ? [pushFailure(e.data)] : []));
  const base: Omit<SessionSummary, 'markdown'> = {
    sessionId: state.sessionId,
    project: state.project,
    type: state.type,
    branch: state.branch,
    reason: input.reason,
    startedAt: state.startedAt,
    endedAt: input.endedAt,
    timeSpentSeconds,
    nanocycles: {
      total: ncRows.length,
      completed: ncRows.filter((n) => COMPLETED_STATUSES.has(n.status)).length,
      byStatus,
      items,
    },
    filesChanged,
    commits: commitCount,
    startCommit: state.startCommit,
    endCommit: workspace?.lastCommit?.sha ?? null,
    metrics: {
      activeSeconds: Math.max(0, timeSpentSeconds - pausedSeconds),
      pausedSeconds,
      linesAdded: filesChanged.reduce((n, f) => n + f.additions, 0),
      linesDeleted: filesChanged.reduce((n, f) => n + f.deletions, 0),
      timelineEventsBeforeEnd: events.length,
      tpuSeconds: Math.round(items.reduce((sum, n) => sum + n.tpuSeconds, 0) * 10) / 10,
      holdPoints: holds.length,
      holdWaitSeconds,
      workflowRuns: state.run,
    },
    ...(pushFailures.length ? { pushFailures } : {}),
    ...(state.review ? { review: state.review } : {}),
  };
  const summary: SessionSummary = { ...base, markdown: renderMarkdown(base) };
  await saveSummary(db, state.project, summary);
  return summary;
}

function pushFailure(
  data: TimelineEventData<'branch.push_failed'>,
): NonNullable<SessionSummary['pushFailures']>[number] {
  return { branch: data.branch, commit: data.commit, why: data.why, error: data.error || 'refused' };
}

/** Seconds spent paused, from the paused/resumed pairs on the timeline. */
function pausedTime(events: { type: string; at: string }[], endedAt: string): number {
  let total = 0;
  let pausedAt: number | null = null;
  for (const e of events) {
    if (e.type === 'session.paused' && pausedAt === null) pausedAt = Date.parse(e.at);
    if (e.type === 'session.resumed' && pausedAt !== null) {
      total += Date.parse(e.at) - pausedAt;
      pausedAt = null;
    }
  }
  if (pausedAt !== null) total += Date.parse(endedAt) - pausedAt;
  return Math.round(total / 1000);
}
