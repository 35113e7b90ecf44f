import type { TimelineEvent } from '../contracts/timeline.js';
import type { TevisApiClient } from './api-client.js';
import { describeEvent } from './render/timeline-event.js';

export type StartOutcome =
  /** `startedFrom`: what was (or was not) carried forward from an earlier session, in words. */
  | { status: 'active'; workspacePath: string | null; startedFrom?: string }
  | { status: 'failed'; failure: string }
  /** Ended while still starting, e.g. `session end` from another terminal. */
  | { status: 'ended'; reason: string };

export interface FollowStartOptions {
  /** Called with each step in a few words ("cloning …", "context loaded: …"). */
  onStep(text: string): void;
  pollMs?: number;
  /** After this long without a new event, the step text says where to look. */
  stallHintMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the events seen so far say about the start, or null while it is still going on. */
function startOutcome(events: TimelineEvent[]): StartOutcome | null {
  let workspacePath: string | null = null;
  let startedFrom: string | undefined;
  for (const event of events) {
    if (event.type === 'workspace.cloned') workspacePath = event.data.path;
    if (event.type === 'workspace.carried_forward' || event.type === 'workspace.not_carried_forward')
      startedFrom = describeEvent(event);
    if (event.type === 'session.active')
      return { status: 'active', workspacePath, ...(startedFrom ? { startedFrom } : {}) };
    if (event.type === 'session.failed')
      return { status: 'failed', failure: String(event.data.error ?? 'no reason recorded') };
    if (event.type === 'session.ended')
      return { status: 'ended', reason: String(event.data.reason ?? 'user') };
  }
  return null;
}

/**
 * Follows a new session's timeline (GET …/events with an `after` cursor) until it is active or
 * failed. Polling, not SSE: a start takes seconds, and a poll survives an API restart.
 */
export async function followSessionStart(
  client: TevisApiClient,
  sessionId: string,
  options: FollowStartOptions,
): Promise<StartOutcome> {
  const pollMs = options.pollMs ?? 300;
  const stallHintMs = options.stallHintMs ?? 15_000;
  const sleep = options.sleep ?? delay;
  const now = options.now ?? Date.now;
  const seen: TimelineEvent[] = [];
  let cursor = 0;
  let lastProgressAt = now();
  let lastStep = 'starting…';
  for (;;) {
    const batch = await client.events(sessionId, cursor);
    if (batch.length) {
      seen.push(...batch);
      cursor = batch[batch.length - 1]!.seq;
      lastProgressAt = now();
      lastStep = describeEvent(batch[batch.length - 1]!);
      options.onStep(lastStep);
      const outcome = startOutcome(seen);
      if (outcome) return outcome;
    } else if (now() - lastProgressAt > stallHintMs) {
      // Slow clones and retries look the same as no worker at all; say where to look, in words
      // that stay the same (a pipe would get a new line for every change of the text).
      options.onStep(
        `${lastStep} (no news for ${Math.round(stallHintMs / 1000)}s+; \`tevis status\` shows whether a worker runs)`,
      );
    }
    await sleep(pollMs);
  }
}
