import { formatDuration } from '../../contracts/durations.js';
import type { WorkspaceState } from '../../contracts/session-state.js';
import { isOpenStatus } from '../../contracts/session-types.js';
import type { SessionWithState } from '../../contracts/responses.js';
import { formatTimestamp, renderFields } from '../output.js';

export interface SessionInfoOptions {
  /** For the duration of a session still open; passed in so rendering stays pure. */
  now: Date;
  isCurrent: boolean;
}

function sessionSeconds({ session }: SessionWithState, now: Date): number {
  const end = session.endedAt ? Date.parse(session.endedAt) : now.getTime();
  return (end - Date.parse(session.startedAt)) / 1000;
}

function workspaceLines(workspace: WorkspaceState | null, recordedPath: string | null): string {
  if (!workspace) return recordedPath ?? 'not cloned yet';
  const fields: [string, string][] = [['Git status', workspace.exists ? workspace.gitStatus : 'missing (recover re-clones it)']];
  if (workspace.lastCommit) {
    const { sha, subject, author } = workspace.lastCommit;
    fields.push(['Last commit', `${sha.slice(0, 10)} ${subject} (${author})`]);
  }
  fields.push(['Modified files', String(workspace.modifiedFiles.length)]);
  return `${workspace.path}\n${renderFields(fields, '  ')}`;
}

/** What `tevis session info` prints: DESIGN.md §1's active context, workspace and execution state. */
export function renderSessionInfo(view: SessionWithState, options: SessionInfoOptions): string {
  const { session, state } = view;
  const { activeContext, workspace, execution } = state;
  const nanocycles = activeContext.nanocycles.length
    ? activeContext.nanocycles.map((nc) => `\n  ${nc.id}: ${nc.status} (${nc.name})`).join('')
    : 'none';
  const status = session.status === 'failed' && session.failure ? `failed: ${session.failure}` : session.endReason && !isOpenStatus(session.status) ? `${session.status} (${session.endReason})` : session.status;
  const fields: [string, string][] = [
    ['Project', activeContext.project],
    ['Repository', activeContext.repository],
    ['Branch', activeContext.branch],
    ['Type', activeContext.type],
    ['Status', status],
    ['Started', formatTimestamp(activeContext.startedAt)],
    ['Duration', formatDuration(sessionSeconds(view, options.now))],
    ['Workspace', workspaceLines(workspace, session.workspacePath)],
    ['Nanocycles', nanocycles],
    ['Active TPUs', String(execution.activeTpus)],
    ['Hold Points', `${execution.pendingHoldPoints.length} pending`],
  ];
  const lines = [`Session ${session.id}${options.isCurrent ? ' (current)' : ''}`, renderFields(fields)];
  // An open session whose workflow did not answer is the one case where the user must act.
  if (!state.live && isOpenStatus(session.status)) {
    lines.push(`\nThe session's workflow did not answer; this is the saved state. Bring it back with \`tevis session recover ${session.id}\`.`);
  }
  return lines.join('\n');
}
