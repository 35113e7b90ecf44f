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
  project: string;
  nanocycles: string[];
  /** Nanocycles that failed because their host was lost for good, each queued again. */
  hostLost: string[];
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
/** One host may be lost: a nanocycle queued again goes to the other, so a third loss is a defect. */
const MAX_TRIES = 3;
/**
 * How a nanocycle says it failed because its worker host was lost: its run there
 * (workflows/nanocycle-workflow.ts), or its merge, its branch gone with the host (merge-queue.ts).
 */
export const HOST_LOST_SIGN = 'taken for lost';

const failedForLostHost = (row: NanocycleRecord | undefined) =>
  row?.status === 'failed' && JSON.stringify(row.data).includes(HOST_LOST_SIGN);

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
  const load: SessionLoad = {
    id,
    project,
    nanocycles: [],
    hostLost: [],
    follower: followTimeline(http.url, http.token, id),
  };
  try {
    await readThroughFaults<SessionWithState, true>(http, `/sessions/${id}`, `${id} active`, (s) => {
      if (s.session.status === 'failed') throw Object.assign(new Error(`${id} failed`), { fatal: true });
      return s.session.status === 'active';
    });
    for (let k = 1; k <= nanocycles; k++) {
      // A nanocycle its lost host took down is queued again: the session moved to a live host.
      let outcome: 'merged' | 'host-lost' = 'host-lost';
      for (let tries = 1; outcome === 'host-lost'; tries++) {
        if (tries > MAX_TRIES) throw new Error(`nanocycle ${k} lost its host ${MAX_TRIES} times`);
        outcome = await runNanocycle(http, load, k, tries, lines, queued);
      }
    }
  } catch (error) {
    load.error = (error as Error).message;
  }
  return load;
}

/** One nanocycle of the load, queued and followed until it merged or its host was lost. */
async function runNanocycle(
  http: ApiClient,
  load: SessionLoad,
  k: number,
  tries: number,
  lines: number,
  queued: () => void,
): Promise<'merged' | 'host-lost'> {
  const id = load.id;
  const nc = await callThroughFaults<{ id: string }>(
    http,
    'POST',
    `/sessions/${id}/nanocycles`,
    // Named for the session's project: the branches (feat/nc-NNN-<name>) of the sessions, which share
    // one remote, differ, so each push is taken; the one queued again is named for its try.
    { name: `${load.project}-${k}${tries === 1 ? '' : `-try-${tries}`}`, run: [nanocycleScript(lines, k)] },
    201,
  );
  load.nanocycles.push(nc.id);
  queued();
  const outcome = await readThroughFaults<{ nanocycles: NanocycleRecord[] }, 'merged' | 'host-lost'>(
    http,
    `/sessions/${id}/nanocycles`,
    `${id} ${nc.id} merged`,
    ({ nanocycles: rows }) => {
      const row = rows.find((n) => n.id === nc.id);
      if (failedForLostHost(row)) return 'host-lost';
      const status = row?.status ?? '';
      if (FAILED_NANOCYCLE.includes(status))
        throw Object.assign(new Error(`${nc.id} ended ${status}`), { fatal: true });
      return status === 'merged' ? 'merged' : undefined;
    },
  );
  if (outcome === 'host-lost') load.hostLost.push(nc.id);
  return outcome;
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
