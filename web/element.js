// @ts-check
/**
 * Builds DOM elements from data. Text always goes in as text (never parsed as HTML), so nothing a
 * session, a branch name or a program's output contains can become markup or script.
 *
 * @param {string} tag
 * @param {Record<string, string | boolean | undefined | ((event: Event) => void)>} [attributes]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') node.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** The page's element with this id (index.html has every id the scripts ask for). */
export const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * The colour follows the machine status; the words may be the product's (`in_progress` for `running`).
 * @param {string} status
 * @param {string} [word]  what to say instead of the status
 */
export function badge(status, word = status) {
  return element('span', { class: `badge status-${status}`, 'data-status': status }, word.replace(/_/g, ' '));
}

/** @param {string | null | undefined} iso */
export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** @param {number} seconds */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${m} min` : m ? `${m} min ${s % 60} s` : `${s} s`;
}
