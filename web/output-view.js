// @ts-check
import { element } from './element.js';

/** The DOM keeps the last lines only; the record keeps them all. */
const MAX_LINES = 5000;

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
    /** @param {{ nanocycleId: string, seq: number, stream: 'stdout' | 'stderr', line: string }} line */
    add(line) {
      if ((seen.get(line.nanocycleId) ?? 0) >= line.seq) return;
      seen.set(line.nanocycleId, line.seq);
      empty.hidden = true;
      list.append(
        element('li', { class: line.stream, 'data-nanocycle': line.nanocycleId, 'data-seq': String(line.seq) }, element('span', { class: 'stream' }, line.stream === 'stderr' ? 'err' : 'out'), element('span', { class: 'who' }, `${line.nanocycleId} `), line.line),
      );
      while (list.childElementCount > MAX_LINES) list.firstElementChild?.remove();
      if (follow.checked) {
        list.dataset.autoscroll = '1';
        list.scrollTop = list.scrollHeight;
      }
    },
  };
}
