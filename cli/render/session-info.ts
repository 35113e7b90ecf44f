import { formatDuration } from '../../contracts/durations.js';
import type { HoldPointBrief, NanocycleBrief, WorkspaceState } from '../../contracts/session-state.js';
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

/** Why a nanocycle failed, conflicts or was rejected: the first line of it, short. */
function shortDetail(detail: string | null | undefined): string | null {
  const first = detail?.split('\n').find((line) => line.trim())?.trim();
  if (!first) return null;
  return first.length > 80 ? `${first.slice(0, 79)}…` : first;
}

/** `NC-001: completed (auth-system)`, and for one that went wrong, `— why`. */
export function nanocycleLine(nc: NanocycleBrief): string {
  const why = ['failed', 'conflict', 'rejected'].includes(nc.status) ? shortDetail(nc.detail) : null;
  return `${nc.id}: ${nc.status} (${nc.name})${why ? ` — ${why}` : ''}`;
}

/** `Active TPUs: 2 · Hold Points: 1`, then each pending hold point with what answers it. */
export function executionLines(activeTpus: number, pending: HoldPointBrief[]): string {
  const lines = [`Active TPUs: ${activeTpus} · Hold Points: ${pending.length}`];
  for (const hold of pending) {
    const whose = hold.nanocycleId ? `${hold.nanocycleId}, ${hold.kind}` : hold.kind;
    lines.push(`  ${hold.id} (${whose}): ${shortDetail(hold.reason) ?? ''}`.trimEnd());
  }
  if (pending.length) lines.push(`  answer with \`tevis hold approve ${pending[0]!.id}\` or \`tevis hold reject ${pending[0]!.id}\``);
  return lines.join('\n');
}

/** What `tevis session info` prints: DESIGN.md §1's active context, workspace and execution state. */
export function renderSessionInfo(view: SessionWithState, options: SessionInfoOptions): string {
  const { session, state } = view;
  const { activeContext, workspace, execution } = state;
  const nanocycles = activeContext.nanocycles.length ? activeContext.nanocycles.map((nc) => `\n  ${nanocycleLine(nc)}`).join('') : 'none';
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
  ];
  const lines = [`Session ${session.id}${options.isCurrent ? ' (current)' : ''}`, renderFields(fields), executionLines(execution.activeTpus, execution.pendingHoldPoints)];
  // An open session whose workflow did not answer is the one case where the user must act.
  if (!state.live && isOpenStatus(session.status)) {
    lines.push(`\nThe session's workflow did not answer; this is the saved state. Bring it back with \`tevis session recover ${session.id}\`.`);
  }
  return lines.join('\n');
}
