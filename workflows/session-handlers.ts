import { installContextEditing } from './session-context.js';
import { installNanocycles } from './session-nanocycles.js';
import { installReview } from './session-review.js';
import type { SessionRun } from './session-run.js';
import { installSessionTransitions } from './session-transitions.js';

/**
 * Every message handler of the session workflow, in the order they were always installed (a
 * handler installed later sees buffered messages later): the session's own transitions, a review
 * session's decision, a planning session's context edits, a development session's nanocycles.
 * Returns the parts the session's own life stops at its end.
 */
export function installSessionHandlers(run: SessionRun, sealedCommands: boolean) {
  const state = run.state;
  const noteActivity = () => run.noteActivity();
  installSessionTransitions(run, sealedCommands);
  const review = installReview(state, noteActivity, run.host);
  const contextEditing = installContextEditing(
    state,
    () => {
      run.updatesHandled++;
      run.noteActivity();
    },
    () => run.endRequested !== null,
    run.host,
  );
  const nanocycles = installNanocycles(state, noteActivity, sealedCommands, run.host, (why) =>
    run.transitions.runExclusive(async () => {
      if (state.status !== 'active') return;
      run.noteActivity();
      await run.moveTo('paused', 'session.paused', { reason: why });
    }),
  );
  return { review, contextEditing, nanocycles };
}
