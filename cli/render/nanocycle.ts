import { acpLineText } from '../../contracts/acp-line-text.js';
import { formatDuration } from '../../contracts/durations.js';
import type { NanocycleData } from '../../contracts/nanocycle-records.js';
import { nanocycleStatusWord } from '../../contracts/nanocycle-status-words.js';
import type { NanocycleBrief } from '../../contracts/session-state.js';
import type {
  HoldPointRecord,
  LogLine,
  NanocycleDiff,
  NanocycleRecord,
  SessionLogLine,
} from '../api-client.js';
import { formatTimestamp, renderTable } from '../output.js';

/** `NC-001 queued on feat/nc-001-auth-system` */
export function renderNanocycleQueued(nc: Pick<NanocycleBrief, 'id' | 'status' | 'branch'>): string {
  return `${nc.id} ${nc.status} on ${nc.branch}`;
}

export function renderNanocycleTable(nanocycles: NanocycleRecord[], sessionId: string): string {
  if (!nanocycles.length)
    return `no nanocycles in ${sessionId} yet; start one with \`tevis nanocycle create --name NAME --goal "…"\` (or --run "CMD")`;
  return renderTable(
    ['ID', 'NAME', 'STATUS', 'BRANCH', 'EXECUTOR'],
    nanocycles.map((nc) => [
      nc.id,
      nc.name,
      nanocycleStatusWord(nc.status, Boolean(nc.data?.commit)),
      nc.branch,
      nc.executor ?? '-',
    ]),
  );
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() ? value.trim() : null;

/**
 * How a nanocycle ended, in one line (a failure's detail on the lines after it): what `logs
 * --follow` says when the output is over, and `cancel`/`merge` after they are done.
 */
export function describeNanocycleOutcome(
  nc: Pick<NanocycleRecord, 'id' | 'status' | 'data'> &
    Partial<Pick<NanocycleBrief, 'commit' | 'filesChanged' | 'detail' | 'tpuSeconds'>>,
  options: { detail: 'full' | 'first-line' } = { detail: 'full' },
): string {
  const commit = text(nc.commit) ?? text(nc.data?.commit);
  const filesChanged = nc.filesChanged ?? nc.data?.filesChanged ?? null;
  const fullDetail = text(nc.detail) ?? text(nc.data?.detail);
  // After the output was just shown, its tail (kept in a failure's detail) would be said twice.
  const detail = options.detail === 'first-line' ? (fullDetail?.split('\n')[0] ?? null) : fullDetail;
  const tpuSeconds = nc.tpuSeconds ?? nc.data?.tpuSeconds ?? null;
  const facts: string[] = [];
  if (commit) facts.push(`commit ${commit.slice(0, 10)}`);
  if (filesChanged !== null && (commit || filesChanged > 0)) facts.push(`${filesChanged} file(s) changed`);
  else if (nc.status === 'completed') facts.push('no changes to commit');
  if (tpuSeconds !== null && tpuSeconds >= 1) facts.push(`${formatDuration(tpuSeconds)} on a TPU`);
  const head = `${nc.id} ${nanocycleStatusWord(nc.status, Boolean(commit))}${facts.length ? ` (${facts.join(', ')})` : ''}`;
  return detail ? `${head}: ${detail}` : head;
}

/** What to do next with a nanocycle in this status, or null when nothing is asked of anyone. */
export function nextStepHint(
  nc: Pick<NanocycleRecord, 'id' | 'status'> & { data?: NanocycleData; commit?: string | null },
  pendingHold: string | null,
): string | null {
  switch (nc.status) {
    case 'awaiting_approval':
      return pendingHold
        ? `review with \`tevis nanocycle diff ${nc.id}\`, then \`tevis hold approve ${pendingHold}\` (or reject)`
        : `it waits at a hold point: \`tevis hold list\``;
    case 'completed':
      // Nothing committed (the run changed no files): nothing to review or merge.
      if (!(nc.commit ?? nc.data?.commit)) return null;
      return `review with \`tevis nanocycle diff ${nc.id}\` and merge with \`tevis nanocycle merge ${nc.id}\``;
    case 'conflict':
      return pendingHold
        ? `resolve the conflict on its branch, then \`tevis hold approve ${pendingHold}\` to merge again (or reject)`
        : `resolve the conflict on its branch, then \`tevis nanocycle merge ${nc.id}\``;
    default:
      return null;
  }
}

/**
 * One output line as printed by `nanocycle logs`: the TPU's line itself, nothing added; a line of
 * Tevis's own (a run restarted after a worker was lost) set apart, so the lines printed again
 * after it read as a new attempt, not as the program repeating itself; an ACP agent's typed line
 * in words (contracts/acp-line-text.js), never its raw JSON, which the agent could fill with
 * terminal escapes.
 */
export function renderLogLine(line: LogLine): string {
  if (line.stream === 'acp') return acpLineText(line.line);
  return line.stream === 'tevis' ? `tevis: ── ${line.line} ──` : line.line;
}

/** `session output`: each line after the nanocycle that printed it (each of an ACP line's lines too, so grep finds them). */
export function renderSessionLogLine(line: SessionLogLine): string {
  return renderLogLine(line)
    .split('\n')
    .map((text) => `${line.nanocycleId}  ${text}`)
    .join('\n');
}

/** Where a line goes: stderr's to stderr, the TPU's stdout and Tevis's own notes (in place) to stdout. */
export function logLineDestination(line: Pick<LogLine, 'stream'>): 'stdout' | 'stderr' {
  return line.stream === 'stderr' ? 'stderr' : 'stdout';
}

/** `nanocycle logs --json`: one object per line (NDJSON). */
export function renderLogLineJson(line: LogLine): string {
  return JSON.stringify(line);
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** `2 files changed, 10 insertions(+), 3 deletions(-)`, as git says it. */
export function diffSummary(files: NanocycleDiff['files']): string {
  const additions = files.reduce((sum, f) => sum + f.additions, 0);
  const deletions = files.reduce((sum, f) => sum + f.deletions, 0);
  return `${plural(files.length, 'file', 'files')} changed, ${plural(additions, 'insertion(+)', 'insertions(+)')}, ${plural(deletions, 'deletion(-)', 'deletions(-)')}`;
}

/** The files table and summary; with the patch after it unless `stat`. */
export function renderDiff(diff: NanocycleDiff, nanocycleId: string, options: { stat: boolean }): string {
  if (!diff.files.length && !diff.patch.trim())
    return `${nanocycleId} changes nothing against the session branch (not run yet, nothing committed, or already merged)`;
  const table = renderTable(
    ['FILE', '+', '-'],
    diff.files.map((f) => [f.path, String(f.additions), String(f.deletions)]),
  );
  const stat = `${table}\n${diffSummary(diff.files)}`;
  return options.stat ? stat : `${stat}\n\n${diff.patch.replace(/\n+$/, '')}`;
}

/** Reasons can be long and many-lined (an agent's question); a table row gets the first 100 characters. */
export function oneLine(value: string, max = 100): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function renderHoldTable(
  holds: HoldPointRecord[],
  sessionId: string,
  options: { all: boolean },
): string {
  if (!holds.length) {
    return options.all
      ? `no hold points in ${sessionId}`
      : `no pending hold points in ${sessionId} (\`tevis hold list --all\` shows resolved ones too)`;
  }
  if (!options.all) {
    return renderTable(
      ['ID', 'NANOCYCLE', 'KIND', 'REASON', 'OPENED'],
      holds.map((h) => [h.id, h.nanocycleId ?? '-', h.kind, oneLine(h.reason), formatTimestamp(h.openedAt)]),
    );
  }
  return renderTable(
    ['ID', 'NANOCYCLE', 'KIND', 'REASON', 'OPENED', 'STATUS', 'BY'],
    holds.map((h) => [
      h.id,
      h.nanocycleId ?? '-',
      h.kind,
      oneLine(h.reason),
      formatTimestamp(h.openedAt),
      h.status,
      h.resolvedBy ?? '-',
    ]),
  );
}
