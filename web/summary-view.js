// @ts-check
import { element, formatDuration } from './element.js';
import { renderMarkdown } from './markdown.js';

/** The generated summary of an ended session: the figures, then its Markdown, rendered from text. */
export function createSummaryView() {
  const section = /** @type {HTMLElement} */ (document.getElementById('summary'));
  const figures = /** @type {HTMLElement} */ (document.getElementById('summary-figures'));
  const text = /** @type {HTMLElement} */ (document.getElementById('summary-text'));
  const pair = (/** @type {string} */ term, /** @type {string} */ value) => [
    element('dt', {}, term),
    element('dd', {}, value),
  ];
  return {
    hide() {
      section.hidden = true;
    },
    /** @param {any} summary  GET /sessions/{id}/summary */
    show(summary) {
      section.hidden = false;
      figures.replaceChildren(
        ...pair('Ended because', summary.reason),
        ...pair('Time spent', formatDuration(summary.timeSpentSeconds)),
        ...pair(
          'Nanocycles',
          `${summary.nanocycles.total} (${
            Object.entries(summary.nanocycles.byStatus)
              .map(([k, v]) => `${v} ${k}`)
              .join(', ') || 'none'
          })`,
        ),
        ...pair('Files changed', String(summary.filesChanged.length)),
        ...pair('Commits', String(summary.commits)),
      );
      text.replaceChildren(renderMarkdown(summary.markdown));
    },
  };
}
