// @ts-check
import { element } from './element.js';

/**
 * The little Markdown a summary is written in — headings, "- " lists, ``` blocks, `code` and
 * **bold** — as DOM nodes built from text. Nothing in it is parsed as HTML, so a file name or a
 * nanocycle name cannot become markup; anything else shows as the plain text it is.
 *
 * @param {string} markdown
 * @param {number} [topLevel]  the heading level a "#" becomes (the page's own headings sit above)
 * @returns {DocumentFragment}
 */
export function renderMarkdown(markdown, topLevel = 3) {
  const out = document.createDocumentFragment();
  /** @type {HTMLElement | null} */
  let list = null;
  /** @type {string[] | null} */
  let fence = null;
  /** @type {string[]} */
  let paragraph = [];
  const flush = () => {
    if (paragraph.length) out.append(element('p', {}, ...inline(paragraph.join(' '))));
    paragraph = [];
    list = null;
  };
  for (const line of markdown.split('\n')) {
    if (fence) {
      if (/^```/.test(line)) {
        out.append(element('pre', {}, fence.join('\n')));
        fence = null;
      } else fence.push(line);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (/^```/.test(line)) {
      flush();
      fence = [];
    } else if (heading) {
      flush();
      const level = Math.min(6, topLevel + (heading[1] ?? '#').length - 1);
      out.append(element(`h${level}`, {}, ...inline(heading[2] ?? '')));
    } else if (item) {
      if (paragraph.length) flush();
      if (!list) {
        list = element('ul');
        out.append(list);
      }
      list.append(element('li', {}, ...inline(item[1] ?? '')));
    } else if (line.trim() === '') flush();
    else {
      list = null;
      paragraph.push(line.trim());
    }
  }
  if (fence) out.append(element('pre', {}, fence.join('\n')));
  flush();
  return out;
}

/** `code` and **bold** inside a line; the rest is text. @param {string} text @returns {(Node | string)[]} */
function inline(text) {
  /** @type {(Node | string)[]} */
  const parts = [];
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*/g;
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > at) parts.push(text.slice(at, match.index));
    parts.push(
      match[1] !== undefined ? element('code', {}, match[1]) : element('strong', {}, match[2] ?? ''),
    );
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}
