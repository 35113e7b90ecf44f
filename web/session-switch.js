// @ts-check

/**
 * A click on an open session makes it its project's active one: `POST /sessions/{id}/switch`
 * pauses the active session and resumes the chosen one in one step (a no-op when it is active
 * already). Clicks faster than the API are coalesced: one switch runs at a time, and when it is
 * done only the latest wanted session is switched to next — so the last click wins, and the
 * page never sends two switches that race each other.
 *
 * @param {{
 *   api: ReturnType<typeof import('./api.js').createApi>,
 *   onSwitched: (id: string, result: any) => void,
 *   onFailed: (id: string, error: Error) => void,
 * }} deps
 */
export function createSessionSwitch(deps) {
  /** @type {string | null} */
  let wanted = null;
  let running = false;

  async function drain() {
    if (running) return;
    running = true;
    try {
      while (wanted) {
        const id = wanted;
        wanted = null;
        try {
          deps.onSwitched(id, await deps.api.post(`/sessions/${encodeURIComponent(id)}/switch`));
        } catch (error) {
          deps.onFailed(id, /** @type {Error} */ (error));
        }
      }
    } finally {
      running = false;
    }
  }

  return {
    /** @param {string} id  the session to make active, replacing any not yet sent */
    want(id) {
      wanted = id;
      void drain();
    },
    /** Drops a switch not yet sent (the person chose a session that is only viewed). */
    cancel() {
      wanted = null;
    },
  };
}
