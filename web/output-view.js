// @ts-check
import { acpLineParts } from '/web/acp-line-text.js';
import { acpLineView } from './acp-line-view.js';
import { element } from './element.js';

/** The DOM keeps the last lines only; the record keeps them all. */
const MAX_LINES = 5000;
/** @type {Record<string, string>} */
const STREAM_LABELS = { stdout: 'out', stderr: 'err', tevis: 'tevis', acp: 'agent' };

/**
 * Every nanocycle's output as it is printed, stdout and stderr told apart in words and colour,
 * following the newest line unless the person scrolls back (or unticks Follow).
 */
export function createOutputView() {
  const list = /** @type {HTMLElement} */ (document.getElementById('output-lines'));
  const empty = /** @type {HTMLElement} */ (document.getElementById('output-empty'));
  const follow = /** @type {HTMLInputElement} */ (document.getElementById('follow-output'));
  /** @type {Map<string, number>} last seq shown of each nanocycle */
  let seen = new Map();
  /** @type {{ key: string, item: Element, text: HTMLElement } | null} the agent's message the last item shows, still growing */
  let running = null;
  list.addEventListener('scroll', () => {
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    if (!atBottom && follow.checked && list.dataset.autoscroll !== '1') follow.checked = false;
    list.dataset.autoscroll = '';
  });
  follow.addEventListener('change', () => {
    if (follow.checked) list.scrollTop = list.scrollHeight;
  });
  return {
    clear() {
      seen = new Map();
      running = null;
      list.replaceChildren();
      empty.hidden = false;
    },
    /**
     * A `tevis` line is Tevis's own note (a run restarted after its worker was lost); the lines of a
     * later attempt say which, so the lines printed again after a restart are told apart.
     * An `acp` line is an ACP agent's typed line, shown in words by its kind (acp-line-view.js).
     * @param {{ nanocycleId: string, seq: number, attempt?: number, stream: 'stdout' | 'stderr' | 'tevis' | 'acp', line: string }} line
     */
    add(line) {
      if ((seen.get(line.nanocycleId) ?? 0) >= line.seq) return;
      seen.set(line.nanocycleId, line.seq);
      empty.hidden = true;
      const attempt = line.attempt ?? 1;
      const label = STREAM_LABELS[line.stream] ?? 'out';
      const who = `${line.nanocycleId}${attempt > 1 && line.stream !== 'tevis' ? ` (attempt ${attempt})` : ''} `;
      const parts = line.stream === 'acp' ? acpLineParts(line.line) : null;
      // An agent streams a message (or a thought) in small pieces, a line each: they read as one text.
      const chunk = parts?.length === 1 ? parts[0]?.chunk : undefined;
      const key = `${line.nanocycleId} ${attempt} ${parts?.[0]?.kind}`;
      if (chunk !== undefined && running?.key === key && running.item === list.lastElementChild) {
        running.text.append(chunk);
        running.item.setAttribute('data-seq', String(line.seq));
      } else {
        const item = element(
          'li',
          {
            class: line.stream,
            'data-nanocycle': line.nanocycleId,
            'data-seq': String(line.seq),
            'data-attempt': String(attempt),
          },
          element('span', { class: 'stream' }, label),
          element('span', { class: 'who' }, who),
          ...(parts ? acpLineView(parts) : [line.line]),
        );
        list.append(item);
        const text = /** @type {HTMLElement} */ (item.lastElementChild);
        running = chunk !== undefined ? { key, item, text } : null;
      }
      while (list.childElementCount > MAX_LINES) list.firstElementChild?.remove();
      if (follow.checked) {
        list.dataset.autoscroll = '1';
        list.scrollTop = list.scrollHeight;
      }
    },
  };
}
