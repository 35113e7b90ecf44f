// @ts-check
import { element } from './element.js';

/** What an event says, in words; the raw data is one click away in its title. */
function describe(/** @type {any} */ e) {
  const d = e.data ?? {};
  const nc = d.nanocycleId ? `${d.nanocycleId} ` : '';
  switch (e.type) {
    case 'nanocycle.queued': return `${nc}queued (${d.name})`;
    case 'nanocycle.started': return `${nc}started on ${d.branch}`;
    case 'nanocycle.completed': return `${nc}completed: ${d.filesChanged ?? 0} file(s) changed`;
    case 'nanocycle.failed': return `${nc}failed: ${String(d.detail ?? '').split('\n')[0]}`;
    case 'nanocycle.merged': return `${nc}merged`;
    case 'nanocycle.conflict': return `${nc}conflicts in ${(d.conflicts ?? []).join(', ')}`;
    case 'holdpoint.opened': return `hold point ${d.id ?? d.holdPointId ?? ''} opened: ${d.reason ?? ''}`;
    case 'holdpoint.resolved': return `hold point ${d.id ?? d.holdPointId ?? ''} ${d.status ?? 'resolved'}${d.by ? ` by ${d.by}` : ''}${d.comment ? ` — "${d.comment}"` : ''}`;
    case 'session.paused': return `paused${d.reason ? `: ${d.reason}` : ''}`;
    case 'session.ended': return `ended (${d.reason ?? 'user'})`;
    case 'plan.drafted': return d.version === undefined ? 'plan drafted' : `plan version ${d.version} drafted`;
    case 'context.edited': return `.tevis/${d.path} ${d.action}`;
    default: return nc + e.type.replace(/^[a-z]+\./, '').replace(/_/g, ' ');
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
    /** @param {any} event  a TimelineEvent; one already shown (a replay after a reconnect) is skipped */
    add(event) {
      if (event.seq <= lastSeq) return false;
      lastSeq = event.seq;
      empty.hidden = true;
      const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
      list.append(
        element('li', { 'data-seq': String(event.seq), 'data-type': event.type, title: JSON.stringify(event.data) }, element('time', { datetime: event.at }, new Date(event.at).toLocaleTimeString()), element('strong', {}, event.type.split('.')[0] ?? ''), ' ', describe(event)),
      );
      if (atBottom) list.scrollTop = list.scrollHeight;
      return true;
    },
  };
}
