import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { ServiceStatus } from '../../contracts/responses.js';
import { isPortOpen } from '../../test/support/stack-probes.js';
import { workerHost } from './worker-hosts.js';
import type { FaultKind, PlannedFault } from './fault-plan.js';
import type { ChaosStack } from './stack.js';

/** One fault as it happened. */
export interface FaultRecord {
  kind: FaultKind;
  /** What it hit (api, worker-2, temporal, postgres). */
  target: string;
  /** When the fault struck (ms since the epoch, the clock the record's `at` uses). */
  at: number;
  /** How long the part was down until it served again (s). */
  downSeconds: number;
  /**
   * Seen to happen: the process died of SIGKILL, or the server's port stopped answering. A fault
   * that was not seen did not happen, whatever the plan said.
   */
  observed: boolean;
  /** Struck while nanocycles were still being run (not in the quiet after). */
  duringLoad: boolean;
  /** A host lost for good: the open sessions whose workspace it held when it went. */
  heldSessions?: string[];
}

/**
 * The worker a worker fault hits: the planned one, or the other when the planned one's host was
 * lost. A host lost goes to the one holding the most open sessions (GET /status), so the loss
 * moves some; the planned one when the status cannot be read.
 */
async function workerToHit(
  stack: ChaosStack,
  fault: PlannedFault,
): Promise<{ index: number; held: string[] }> {
  const live = stack.workers.map((w, i) => ({ w, i })).filter(({ w }) => !w.isRetired);
  const planned = live.find(({ i }) => i === fault.worker) ?? live[0]!;
  if (fault.kind !== 'host-lost') return { index: planned.i, held: [] };
  const status = await stack.http.call<ServiceStatus>('GET', '/status').catch(() => null);
  const hosts = status?.status === 200 ? (status.json.hosts ?? []) : [];
  const held = (i: number) => hosts.find((h) => h.name === stack.workers[i]!.name)?.sessions ?? [];
  const busiest = live.reduce((a, b) => (held(b.i).length > held(a.i).length ? b : a), planned);
  return { index: busiest.i, held: held(busiest.i) };
}

/** Brings the part down, waits the planned moment, brings it back; the fault as it happened. */
export async function strike(
  stack: ChaosStack,
  fault: PlannedFault,
  loadRunning: boolean,
): Promise<FaultRecord> {
  const at = Date.now();
  let target: string;
  let observed: boolean;
  let up: () => Promise<void>;
  let heldSessions: string[] | undefined;
  switch (fault.kind) {
    case 'worker-kill':
    case 'api-kill': {
      const part =
        fault.kind === 'api-kill' ? stack.api : stack.workers[(await workerToHit(stack, fault)).index]!;
      target = part.name;
      observed = (await part.kill()).signal === 'SIGKILL';
      up = () => part.start();
      break;
    }
    case 'host-lost': {
      // Killed, its home deleted, never started again: its sessions must move to the other host.
      const { index, held } = await workerToHit(stack, fault);
      const part = stack.workers[index]!;
      target = part.name;
      heldSessions = held;
      const killed = (await part.kill()).signal === 'SIGKILL';
      await part.retire();
      const home = workerHost(stack.dir, index).home;
      await rm(home, { recursive: true, force: true });
      observed = killed && !existsSync(home);
      up = async () => {};
      break;
    }
    case 'temporal-restart':
      target = 'temporal';
      await stack.temporal.down();
      observed = !(await isPortOpen(stack.temporal.port));
      up = () => stack.temporal.up();
      break;
    case 'postgres-restart':
      target = 'postgres';
      await stack.postgres.down();
      observed = !(await isPortOpen(stack.postgres.port));
      up = () => stack.postgres.up();
      break;
  }
  await sleep(fault.downMs);
  await up();
  return {
    kind: fault.kind,
    target,
    at,
    downSeconds: (Date.now() - at) / 1000,
    observed,
    duringLoad: loadRunning,
    ...(heldSessions ? { heldSessions } : {}),
  };
}

/**
 * The planned faults one after another, each after its seeded pause. They all happen, even when
 * the nanocycles finish first (then on idle sessions and open streams, marked not during load).
 */
export async function runFaults(
  stack: ChaosStack,
  plan: PlannedFault[],
  loadRunning: () => boolean,
  log: (line: string) => void,
): Promise<FaultRecord[]> {
  const done: FaultRecord[] = [];
  for (const fault of plan) {
    await sleep(fault.gapMs);
    const record = await strike(stack, fault, loadRunning());
    log(
      `fault ${done.length + 1}/${plan.length}: ${record.kind} of ${record.target}, ` +
        `down ${record.downSeconds.toFixed(1)} s${record.observed ? '' : ' (NOT OBSERVED)'}`,
    );
    done.push(record);
  }
  return done;
}
