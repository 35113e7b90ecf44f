// @ts-check
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
      list.append(
        element(
          'li',
          {
            class: line.stream,
            'data-nanocycle': line.nanocycleId,
            'data-seq': String(line.seq),
            'data-attempt': String(attempt),
          },
          element('span', { class: 'stream' }, label),
          element('span', { class: 'who' }, who),
          ...(line.stream === 'acp' ? acpLineView(line.line) : [line.line]),
        ),
      );
      while (list.childElementCount > MAX_LINES) list.firstElementChild?.remove();
      if (follow.checked) {
        list.dataset.autoscroll = '1';
        list.scrollTop = list.scrollHeight;
      }
    },
  };
}
