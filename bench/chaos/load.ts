import type { NanocycleRecord } from '../../contracts/nanocycle-records.js';
import type { SessionWithState } from '../../contracts/responses.js';
import type { ApiClient } from '../../test/support/api-client.js';
import { callThroughFaults, readThroughFaults } from './retrying-calls.js';
import { followTimeline, type TimelineFollower } from './timeline-follower.js';

/** A project has one active session at a time: each session of the run gets its own. */
export const projectName = (index: number) => `chaos-${index + 1}`;
/** The prefix of each numbered line a nanocycle prints: `chaos-line-<n>`. */
export const LINE_PREFIX = 'chaos-line-';

export interface SessionLoad {
  id: string;
  nanocycles: string[];
  follower: TimelineFollower;
  /** Why the session's load stopped short, if it did. */
  error?: string;
}

/**
 * A short command that prints `lines` numbered lines half a second apart, so faults land while
 * it runs, then writes a file of its own (the nanocycle has something to merge).
 */
export function nanocycleScript(lines: number, index: number): string {
  return `for i in $(seq 1 ${lines}); do echo ${LINE_PREFIX}$i; sleep 0.5; done; echo ${index} > CHAOS-${index}.md`;
}

const FAILED_NANOCYCLE = ['failed', 'rejected', 'cancelled', 'conflict'];

/**
 * One session's load: opened, followed on its timeline from its first event, then `nanocycles`
 * nanocycles one after another, each merged on its own (the project has `holdMerge: false`).
 */
export async function runSessionLoad(
  http: ApiClient,
  project: string,
  nanocycles: number,
  lines: number,
  /** Told when a nanocycle was queued: the faults start with the first. */
  queued: () => void,
): Promise<SessionLoad> {
  const { id } = await callThroughFaults<{ id: string }>(http, 'POST', '/sessions', { project }, 201);
  const load: SessionLoad = { id, nanocycles: [], follower: followTimeline(http.url, http.token, id) };
  try {
    await readThroughFaults<SessionWithState, true>(http, `/sessions/${id}`, `${id} active`, (s) => {
      if (s.session.status === 'failed') throw Object.assign(new Error(`${id} failed`), { fatal: true });
      return s.session.status === 'active';
    });
    for (let k = 1; k <= nanocycles; k++) {
      const nc = await callThroughFaults<{ id: string }>(
        http,
        'POST',
        `/sessions/${id}/nanocycles`,
        { name: `chaos-${k}`, run: [nanocycleScript(lines, k)] },
        201,
      );
      load.nanocycles.push(nc.id);
      queued();
      await readThroughFaults<{ nanocycles: NanocycleRecord[] }, true>(
        http,
        `/sessions/${id}/nanocycles`,
        `${id} ${nc.id} merged`,
        ({ nanocycles: rows }) => {
          const status = rows.find((n) => n.id === nc.id)?.status ?? '';
          if (FAILED_NANOCYCLE.includes(status))
            throw Object.assign(new Error(`${nc.id} ended ${status}`), { fatal: true });
          return status === 'merged';
        },
      );
    }
  } catch (error) {
    load.error = (error as Error).message;
  }
  return load;
}

/** Ends the session and waits until it is ended (or failed: the checks say so). */
export async function endSession(http: ApiClient, id: string): Promise<void> {
  await callThroughFaults(http, 'POST', `/sessions/${id}/end`);
  await readThroughFaults<SessionWithState, true>(
    http,
    `/sessions/${id}`,
    `${id} ended`,
    (s) => s.session.status === 'ended' || s.session.status === 'failed',
  );
}
