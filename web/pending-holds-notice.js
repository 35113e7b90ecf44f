// @ts-check
import { byId as $ } from './element.js';

/** The notice at the top stays while a hold point of the shown session waits, and goes once none does. */
export const showPendingHolds = (/** @type {any[]} */ pending) => {
  const what = (/** @type {any} */ h) => `${h.id} (${h.kind}${h.nanocycleId ? ` of ${h.nanocycleId}` : ''})`;
  const text =
    pending.length === 0
      ? ''
      : pending.length === 1
        ? `Hold point ${what(pending[0])} is waiting for you.`
        : `${pending.length} hold points are waiting for you: ${pending.map(what).join(', ')}.`;
  // Rewritten only when it changes, so a screen reader announces each change once.
  if ($('notice-text').textContent !== text) $('notice-text').textContent = text;
  $('notice').hidden = pending.length === 0;
};
