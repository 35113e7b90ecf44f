// @ts-check
/**
 * The small pieces acp-line-text.js and agent-request-view.js build their text from: untrusted
 * values made safe to print (to a terminal or a page) and short. Plain JavaScript for the same
 * reason as acp-line-text.js: the page loads this file too (as /web/acp-text-parts.js).
 */

// Terminal escapes (ESC, CSI, …) would let a line move the cursor or rewrite what a terminal shows;
// direction overrides would make a path read as another one.
const ESCAPE_SEQUENCES = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** @param {unknown} value @returns {string} */
const asText = (value) =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';

/**
 * At most `max` characters of a value, control characters dropped; tabs become spaces.
 * @param {unknown} value
 * @param {number} max
 * @param {{ keepLines?: boolean }} [options]  keep newlines (a message), else they become spaces
 */
export function cut(value, max, options = {}) {
  const raw = asText(value);
  // Only the start is ever shown: cleaning a megabyte to print a hundred characters is waste.
  const clean = raw
    .slice(0, max * 2 + 16)
    .replace(ESCAPE_SEQUENCES, '')
    .replace(CONTROLS, '');
  const text = options.keepLines ? clean.replace(/\t/g, ' ') : clean.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** One line of at most `max` characters (200 unless told). @param {unknown} value @param {number} [max] */
export const flat = (value, max = 200) => cut(value, max);

/** A path as the agent named it, without the TPU's `/workspace/` in front. @param {unknown} path */
export const shortPath = (path) => flat(asText(path).replace(/^\/workspace\//, ''), 300) || '?';

/** How a plan entry's status reads: done, under way, not started. */
export const PLAN_MARKS = /** @type {Readonly<Record<string, string>>} */ (
  Object.freeze({ completed: '[x]', in_progress: '[>]', pending: '[ ]' })
);

/**
 * Lines added and removed between two texts, counted as multisets of lines: exact for the usual
 * edit, and linear, so a huge text cannot make a reader slow.
 * @param {unknown} oldText @param {unknown} newText
 */
export function diffCounts(oldText, newText) {
  const lines = (/** @type {unknown} */ t) => {
    const text = asText(t);
    if (!text) return [];
    const all = text.split('\n');
    return all.at(-1) === '' ? all.slice(0, -1) : all;
  };
  const before = new Map();
  for (const line of lines(oldText)) before.set(line, (before.get(line) ?? 0) + 1);
  let added = 0;
  for (const line of lines(newText)) {
    const left = before.get(line) ?? 0;
    if (left > 0) before.set(line, left - 1);
    else added++;
  }
  let removed = 0;
  for (const left of before.values()) removed += left;
  return { added, removed };
}

/** `Allow once / Reject`: the options of a permission request, by name. @param {unknown} options */
export function permissionOptionsText(options) {
  const list = Array.isArray(options) ? options : [];
  const names = list
    .slice(0, 20)
    .map((o) => flat(typeof o === 'object' && o !== null ? (o.name ?? o.optionId) : '', 80) || '?');
  return names.join(' / ') || '(none)';
}
