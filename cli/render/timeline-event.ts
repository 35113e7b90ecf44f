import type { TimelineEvent, TimelineEventData, TimelineEventType } from '../../contracts/timeline.js';
import { formatDuration } from '../../contracts/durations.js';
import { runRestartWhy } from '../../contracts/run-restart.js';
import { formatTimestamp } from '../output.js';

const text = (value: unknown): string =>
  typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
/** A multi-line detail (a failure's output tail) as its first line, for a one-line event. */
const firstLine = (value: unknown): string => text(value).split('\n')[0]!.trim();
const count = (value: unknown): number =>
  Array.isArray(value) ? value.length : typeof value === 'number' ? value : 0;

function servicesLine(data: Partial<TimelineEventData<'services.checked'>>): string {
  const parts = Object.entries(data).map(([name, check]) => {
    const status = check?.status;
    return `${name} ${status === 'ok' ? 'ok' : text(status) || '?'}`;
  });
  return `services checked: ${parts.join(', ')}`;
}

/**
 * An event to put in words, by its type. Any field may be missing: the server that wrote it may
 * be older than this CLI.
 */
export type DescribableEvent = {
  [T in TimelineEventType]: { type: T; data: Partial<TimelineEventData<T>> };
}[TimelineEventType];

/** One event in a few words: the spinner text while a session starts, and the timeline's last column. */
export function describeEvent(event: DescribableEvent): string {
  // Destructured, so that each case below knows the data of its own type.
  const { type, data: d } = event;
  switch (type) {
    case 'session.created':
      return `created (${text(d.type)} session on ${text(d.branch)})`;
    case 'workspace.cloning':
      return `cloning ${text(d.repository)} (${text(d.branch)})…`;
    case 'workspace.cloned':
      return d.reused ? `workspace reused at ${text(d.path)}` : `cloned into ${text(d.path)}`;
    case 'workspace.carried_forward':
      return `started from ${text(d.commit).slice(0, 10)}, carried forward from session ${text(d.fromSession)}: ${count(d.commits)} commit(s) merged there and not on the remote`;
    case 'workspace.not_carried_forward':
      return `not carried forward: ${text(d.fix)}`;
    case 'workspace.recloned':
      return `workspace re-cloned at ${text(d.path)}`;
    case 'workspace.moved':
      return `workspace moved from host ${text(d.from)} (lost) to ${text(d.to)} at ${text(d.head).slice(0, 10)}: ${count(d.restored)} merged nanocycle(s) restored${count(d.lost) ? `, lost (never pushed): ${(d.lost as string[]).join(', ')}` : ''}`;
    case 'context.loaded':
      return `context loaded: ${count(d.docs)} planning doc(s), ${count(d.memoryEntries)} memory entr${count(d.memoryEntries) === 1 ? 'y' : 'ies'}, ${count(d.preferences)} preference(s)`;
    case 'services.checked':
      return servicesLine(d);
    case 'session.active':
      return 'active';
    case 'session.paused':
      return 'paused';
    case 'session.resumed':
      return 'resumed';
    case 'session.ending':
      return `ending (${text(d.reason)}), generating summary…`;
    case 'summary.generated':
      return `summary generated: ${count(d.nanocyclesCompleted)} nanocycle(s) completed, ${count(d.filesChanged)} file(s) changed, ${count(d.commits)} commit(s), ${formatDuration(count(d.timeSpentSeconds))}`;
    case 'session.ended':
      return `ended (${text(d.reason)})`;
    case 'session.failed':
      return `failed: ${text(d.error)}`;
    case 'session.recovered':
      return `recovered (was ${text(d.status)})`;
    case 'file.edited':
      return `file edited: ${text(d.path)}`;
    case 'plan.drafted':
      return `plan ${d.version === undefined ? 'drafted' : `version ${count(d.version)} drafted`} (${count(d.length)} characters)`;
    case 'context.edited':
      return `context document .tevis/${text(d.path)} ${text(d.action)}${d.commit ? `, commit ${text(d.commit).slice(0, 10)}` : ''}`;
    case 'preferences.changed':
      return `preferences changed${Array.isArray(d.set) && d.set.length ? `: set ${d.set.map(String).join(', ')}` : ''}${Array.isArray(d.unset) && d.unset.length ? `${Array.isArray(d.set) && d.set.length ? ';' : ':'} removed ${d.unset.map(String).join(', ')}` : ''}`;
    case 'nanocycle.queued':
      return `${text(d.nanocycleId)} queued (${text(d.name)}) on ${text(d.branch)}`;
    case 'nanocycle.started':
      return `${text(d.nanocycleId)} started on a TPU`;
    case 'nanocycle.run_restarted':
      return `${text(d.nanocycleId)} run ${text(d.run)} restarted (attempt ${text(d.attempt)}) because ${runRestartWhy(d.reason)}; its output is printed again from the start`;
    case 'nanocycle.run_reattached':
      return `${text(d.nanocycleId)} run ${text(d.run)} picked up again (attempt ${text(d.attempt)}) because ${runRestartWhy(d.reason)}; re-attached to its container, no line repeated`;
    case 'nanocycle.completed':
      return `${text(d.nanocycleId)} completed: ${count(d.filesChanged)} file(s) changed${d.commit ? `, commit ${text(d.commit).slice(0, 10)}` : ''}`;
    case 'nanocycle.failed':
      return `${text(d.nanocycleId)} failed${d.detail ? `: ${firstLine(d.detail)}` : ''}`;
    case 'nanocycle.cancelled':
      return `${text(d.nanocycleId)} cancelled${d.detail ? ` (${firstLine(d.detail)})` : ''}`;
    case 'nanocycle.rejected':
      return `${text(d.nanocycleId)} rejected${(d.comment ?? d.detail) ? `: ${firstLine(d.comment ?? d.detail)}` : ''}`;
    case 'nanocycle.merged':
      return `${text(d.nanocycleId)} merged${d.commit ? ` (${text(d.commit).slice(0, 10)})` : ''}`;
    case 'nanocycle.conflict':
      return `${text(d.nanocycleId)} conflicts${Array.isArray(d.conflicts) ? ` in ${d.conflicts.map(text).join(', ')}` : ''}`;
    case 'holdpoint.opened':
      return `hold point ${text(d.id)} opened: ${firstLine(d.reason)}`;
    case 'holdpoint.resolved':
      return `hold point ${text(d.id)} ${text(d.status)}${d.by ? ` by ${text(d.by)}` : ''}${d.comment ? `: ${firstLine(d.comment)}` : ''}`;
    case 'branch.pushed':
      return `pushed ${text(d.branch)}${d.commit ? ` (${text(d.commit).slice(0, 10)})` : ''}`;
    case 'branch.push_failed':
      return `push of ${text(d.branch)} failed: ${firstLine(d.error)}`;
    case 'webhook.failed':
      return `webhook (${text(d.event)} of ${text(d.holdPointId)}) failed: ${firstLine(d.error)}`;
    default: {
      // Events newer than this CLI: show what they carry.
      const unknown = event as { type: string; data: Record<string, unknown> };
      const raw = unknown.data;
      const label = [raw.id, raw.name, raw.message ?? raw.line]
        .filter((v) => v !== undefined)
        .map(text)
        .join(' ');
      return label ? `${unknown.type}: ${label}` : unknown.type;
    }
  }
}

/** `#3  2025-05-01 14:02  workspace.cloned  cloned into …` */
export function renderEventLine(event: TimelineEvent): string {
  return `#${event.seq}  ${formatTimestamp(event.at)}  ${event.type.padEnd(19)}  ${describeEvent(event)}`;
}
