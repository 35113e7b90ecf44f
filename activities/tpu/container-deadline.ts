import type Docker from 'dockerode';

/**
 * Kills the container once `deadline` (ms since the epoch) has passed. `onTimedOut` is called only
 * if it was still running to be killed (409: it ended by itself meanwhile).
 */
export function killAtDeadline(
  container: Docker.Container,
  deadline: number,
  onTimedOut: () => void,
): NodeJS.Timeout {
  let killing = false;
  return setInterval(() => {
    if (killing || Date.now() < deadline) return;
    killing = true;
    container.kill().then(onTimedOut, () => {});
  }, 500);
}

/** A retry that finds the container already stopped cannot know who killed it; its clock can tell. */
export function ranPastDeadline(
  state: { ExitCode: number; StartedAt: string; FinishedAt: string },
  timeoutSeconds: number,
): boolean {
  if (state.ExitCode === 0) return false;
  return new Date(state.FinishedAt).getTime() - new Date(state.StartedAt).getTime() >= timeoutSeconds * 1000;
}
