import type Docker from 'dockerode';
import type { WorkClock } from './work-clock.js';

/**
 * Kills the container once its clock says its time is up. `onTimedOut` is called only if it was
 * still running to be killed (409: it ended by itself meanwhile).
 */
export function killAtDeadline(
  container: Docker.Container,
  clock: WorkClock,
  onTimedOut: () => void,
): NodeJS.Timeout {
  let busy = false;
  return setInterval(() => {
    if (busy) return;
    busy = true;
    clock.expired().then(
      (expired) => {
        // Once killing, it stays busy: one kill.
        if (expired) container.kill().then(onTimedOut, () => {});
        else busy = false;
      },
      () => {
        busy = false;
      },
    );
  }, 500);
}

/** A retry that finds the container already stopped cannot know who killed it; its clock can tell. */
export async function ranPastDeadline(
  state: { ExitCode: number; FinishedAt: string },
  clock: WorkClock,
): Promise<boolean> {
  if (state.ExitCode === 0) return false;
  return clock.ranPast(new Date(state.FinishedAt).getTime());
}
