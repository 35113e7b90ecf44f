// @ts-check
import { byId as $ } from './element.js';

/** The badge that says whether the shown session's streams are live. */
export const setConnection = (/** @type {string} */ state, /** @type {string} */ text) => {
  $('connection').dataset.state = state;
  $('connection').textContent = text;
};

/** A stream's state (event-stream.js) in the badge's words. */
export const showStreamState = (/** @type {string} */ state, /** @type {string | undefined} */ detail) => {
  if (state === 'live') setConnection('live', 'Live');
  else if (state === 'reconnecting') setConnection('reconnecting', 'Reconnecting…');
  else if (state === 'ended') setConnection('stopped', `Ended: ${detail ?? 'over'}`);
  else setConnection('stopped', detail ?? 'Stopped');
};
