import { formatDuration } from '../../contracts/durations.js';
import type { HoldPointBrief, NanocycleBrief, WorkspaceState } from '../../contracts/session-state.js';
import { isOpenStatus } from '../../contracts/session-types.js';
import type { SessionWithState } from '../../contracts/responses.js';
import { nanocycleStatusWord } from '../../contracts/nanocycle-status-words.js';
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
  const fields: [string, string][] = [
    ['Git status', workspace.exists ? workspace.gitStatus : 'missing (recover re-clones it)'],
  ];
  if (workspace.lastCommit) {
    const { sha, subject, author } = workspace.lastCommit;
    fields.push(['Last commit', `${sha.slice(0, 10)} ${subject} (${author})`]);
  }
  fields.push(['Modified files', String(workspace.modifiedFiles.length)]);
  return `${workspace.path}\n${renderFields(fields, '  ')}`;
}

/** Why a nanocycle failed, conflicts or was rejected: the first line of it, short. */
function shortDetail(detail: string | null | undefined): string | null {
  const first = detail
    ?.split('\n')
    .find((line) => line.trim())
    ?.trim();
  if (!first) return null;
  return first.length > 80 ? `${first.slice(0, 79)}…` : first;
}

/**
 * `NC-001: completed (auth-system)` in the product's words (`in_progress` while it runs,
 * `completed` once merged, nanocycle-status-words.js), and for one that went wrong, `— why`.
 */
export function nanocycleLine(nc: NanocycleBrief): string {
  const why = ['failed', 'conflict', 'rejected'].includes(nc.status) ? shortDetail(nc.detail) : null;
  return `${nc.id}: ${nanocycleStatusWord(nc.status, Boolean(nc.commit))} (${nc.name})${why ? ` — ${why}` : ''}`;
}

/** `Active TPUs: 2` and `Hold Points: 1` as the product prints them, then each pending hold point with what answers it. */
export function executionLines(activeTpus: number, pending: HoldPointBrief[]): string {
  const lines = [`Active TPUs: ${activeTpus}`, `Hold Points: ${pending.length}`];
  for (const hold of pending) {
    const whose = hold.nanocycleId ? `${hold.nanocycleId}, ${hold.kind}` : hold.kind;
    lines.push(`  ${hold.id} (${whose}): ${shortDetail(hold.reason) ?? ''}`.trimEnd());
  }
  if (pending.length)
    lines.push(
      `  answer with \`tevis hold approve ${pending[0]!.id}\` or \`tevis hold reject ${pending[0]!.id}\``,
    );
  return lines.join('\n');
}

/** Local time to the second, as the product's `Started: 2026-02-06 09:00:00`. */
function startedAt(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${formatTimestamp(iso)}:${String(date.getSeconds()).padStart(2, '0')}`;
}

/**
 * What `tevis session info` prints: the product's Session Details first, in its layout and words
 * (`Session: …` to `Hold Points: …`), then what Tevis knows beyond them (type, status, whether it
 * is the current session, the workspace).
 */
export function renderSessionInfo(view: SessionWithState, options: SessionInfoOptions): string {
  const { session, state } = view;
  const { activeContext, workspace, execution } = state;
  const status =
    session.status === 'failed' && session.failure
      ? `failed: ${session.failure}`
      : session.endReason && !isOpenStatus(session.status)
        ? `${session.status} (${session.endReason})`
        : session.status;
  const product = [
    `Session: ${session.id}`,
    `Project: ${activeContext.project}`,
    `Repository: ${activeContext.repository}`,
    `Branch: ${activeContext.branch}`,
    `Started: ${startedAt(activeContext.startedAt)}`,
    `Duration: ${formatDuration(sessionSeconds(view, options.now))}`,
    activeContext.nanocycles.length
      ? `Nanocycles:\n${activeContext.nanocycles.map(nanocycleLine).join('\n')}`
      : 'Nanocycles: none',
    executionLines(execution.activeTpus, execution.pendingHoldPoints),
  ];
  const more: [string, string][] = [
    ['Type', activeContext.type],
    ['Status', status],
    ['Current', options.isCurrent ? 'yes (commands without --session use it)' : 'no'],
    ['Workspace', workspaceLines(workspace, session.workspacePath)],
  ];
  const lines = [...product, renderFields(more)];
  // An open session whose workflow did not answer is the one case where the user must act.
  if (!state.live && isOpenStatus(session.status)) {
    lines.push(
      `\nThe session's workflow did not answer; this is the saved state. Bring it back with \`tevis session recover ${session.id}\`.`,
    );
  }
  return lines.join('\n');
}
