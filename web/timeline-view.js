// @ts-check
import { element } from './element.js';

/** @typedef {import('../contracts/timeline.js').TimelineEvent} TimelineEvent */

/**
 * What an event says, in words; the raw data is one click away in its title.
 * @param {TimelineEvent} e
 */
function describe(e) {
  // Destructured, so that each case below knows the data of its own type.
  const { type, data: d } = e;
  const nc = d.nanocycleId ? `${d.nanocycleId} ` : '';
  switch (type) {
    case 'nanocycle.queued':
      return `${nc}queued (${d.name})`;
    case 'nanocycle.started':
      return `${nc}started on ${d.branch}`;
    case 'nanocycle.completed':
      return `${nc}completed: ${d.filesChanged ?? 0} file(s) changed`;
    case 'nanocycle.failed':
      return `${nc}failed: ${String(d.detail ?? '').split('\n')[0]}`;
    case 'nanocycle.merged':
      return `${nc}merged`;
    case 'nanocycle.run_restarted':
      return `${nc}${d.message ?? `run restarted: attempt ${d.attempt}`}`;
    case 'nanocycle.run_reattached':
      return `${nc}${d.message ?? `run picked up again: attempt ${d.attempt}`}`;
    case 'nanocycle.conflict':
      return `${nc}conflicts in ${(d.conflicts ?? []).join(', ')}`;
    case 'holdpoint.opened':
      return `hold point ${d.id ?? d.holdPointId ?? ''} opened: ${d.reason ?? ''}`;
    case 'holdpoint.resolved':
      return `hold point ${d.id ?? d.holdPointId ?? ''} ${d.status ?? 'resolved'}${d.by ? ` by ${d.by}` : ''}${d.comment ? ` — "${d.comment}"` : ''}`;
    case 'workspace.carried_forward':
      return `started from ${String(d.commit ?? '').slice(0, 10)}, carried forward from session ${d.fromSession}: ${d.commits ?? 0} commit(s) merged there and not on the remote`;
    case 'workspace.not_carried_forward':
      return `not carried forward: ${d.fix ?? d.reason ?? ''}`;
    case 'workspace.moved':
      return `workspace moved from host ${d.from} (lost) to ${d.to}: ${(d.restored ?? []).length} merged nanocycle(s) restored${(d.lost ?? []).length ? `, lost (never pushed): ${d.lost.join(', ')}` : ''}`;
    case 'branch.pushed':
      return `pushed ${d.branch}${d.commit ? ` (${String(d.commit).slice(0, 10)})` : ''}`;
    case 'branch.push_failed':
      return `push of ${d.branch} failed: ${String(d.error ?? '').split('\n')[0]}`;
    case 'session.paused':
      return `paused${d.reason ? `: ${d.reason}` : ''}`;
    case 'session.ended':
      return `ended (${d.reason ?? 'user'})`;
    case 'plan.drafted':
      return d.version === undefined ? 'plan drafted' : `plan version ${d.version} drafted`;
    case 'context.edited':
      return `.tevis/${d.path} ${d.action}`;
    default:
      // A type newer than this page: its name says what happened.
      return nc + /** @type {{ type: string }} */ (e).type.replace(/^[a-z]+\./, '').replace(/_/g, ' ');
  }
}

/** The session's events, oldest first, as they happen. */
export function createTimelineView() {
  const list = /** @type {HTMLElement} */ (document.getElementById('timeline-list'));
  const empty = /** @type {HTMLElement} */ (document.getElementById('timeline-empty'));
  let lastSeq = 0;
  return {
    clear() {
      lastSeq = 0;
      list.replaceChildren();
      empty.hidden = false;
    },
    /** @param {TimelineEvent} event  one already shown (a replay after a reconnect) is skipped */
    add(event) {
      if (event.seq <= lastSeq) return false;
      lastSeq = event.seq;
      empty.hidden = true;
      const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
      list.append(
        element(
          'li',
          {
            'data-seq': String(event.seq),
            'data-type': event.type,
            'data-session': event.sessionId,
            title: JSON.stringify(event.data),
          },
          element('time', { datetime: event.at }, new Date(event.at).toLocaleTimeString()),
          element('strong', {}, event.type.split('.')[0] ?? ''),
          ' ',
          describe(event),
        ),
      );
      if (atBottom) list.scrollTop = list.scrollHeight;
      return true;
    },
  };
}
