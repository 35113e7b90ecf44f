// @ts-check
import { showStreamState } from './connection-badge.js';
import { followEventStream } from './event-stream.js';

/**
 * The two live streams of a shown session — its timeline and its output — each resumed with
 * Last-Event-ID after a drop, both ended by `signal`; the badge shows how they are.
 * @param {ReturnType<typeof import('./api.js').createApi>} api
 * @param {string} id
 * @param {{
 *   onEvent: (event: any) => void,
 *   onOutput: (line: any) => void,
 *   onBack: () => void,
 *   signal: AbortSignal,
 * }} handlers  onBack: the timeline is live again after a drop
 */
export function followSession(api, id, { onEvent, onOutput, onBack, signal }) {
  void followEventStream({
    open: (last, signal) => api.openStream(`/sessions/${id}/events/stream`, last, signal),
    onMessage: (message) => onEvent(JSON.parse(message.data)),
    onState: (state, detail) => {
      showStreamState(state, detail);
      if (state === 'live') onBack();
    },
    signal,
  });
  void followEventStream({
    open: (last, signal) => api.openStream(`/sessions/${id}/output/stream`, last, signal),
    onMessage: (message) => onOutput(JSON.parse(message.data)),
    onState: showStreamState,
    signal,
  });
}
