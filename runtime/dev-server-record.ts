import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readPidFile, removePidFileOf, writePidFile } from './pid-file.js';
import { isSameProcess, type ProcessIdentity } from './process-identity.js';

/**
 * The Temporal dev server `tevis up` starts is written down in `$TEVIS_HOME/temporal-dev-server.pid`
 * (pid, start time, ports, which `tevis up` started it) for as long as it runs. A `tevis up` that
 * is killed cannot stop its server; the next one reads the record and stops the server it names,
 * so a leftover never holds the port and the SQLite file, and is never silently used instead of
 * the server this run starts.
 *
 * Stopped rather than adopted: the leftover runs with the old run's flags (ports, the UI's codec
 * endpoint) and logs to a descriptor of the old run, and nothing would stop it at this run's
 * Ctrl-C. Its state is in the SQLite file, which the fresh server opens again, so stopping it
 * loses nothing.
 */
export interface DevServerRecord extends ProcessIdentity {
  [key: string]: unknown;
  port: number;
  uiPort: number | null;
  /** The `tevis up` (or other process) that started it. */
  ownerPid: number;
  /** The shell that stops it if its owner dies (dev-server-watchdog.ts); null without one. */
  watchdogPid: number | null;
  since: string;
}

export function devServerPidFile(home: string): string {
  return join(home, 'temporal-dev-server.pid');
}

export function recordDevServer(
  pidFile: string,
  identity: ProcessIdentity,
  details: { port: number; uiPort: number | undefined; watchdogPid: number | null },
): ProcessIdentity {
  const record: DevServerRecord = {
    pid: identity.pid,
    startTime: identity.startTime,
    port: details.port,
    uiPort: details.uiPort ?? null,
    ownerPid: process.pid,
    watchdogPid: details.watchdogPid,
    since: new Date().toISOString(),
  };
  writePidFile(pidFile, record);
  return identity;
}

export function forgetDevServer(pidFile: string, identity: ProcessIdentity): void {
  removePidFileOf(pidFile, identity);
}

/** The dev server the record names, if it still runs. */
export function recordedDevServer(pidFile: string): DevServerRecord | null {
  const record = readPidFile<DevServerRecord>(pidFile);
  return record && isSameProcess(record) ? record : null;
}

const STOP_GRACE_MS = 15_000;

/**
 * Stops the dev server a previous run left (if the record names a live one) and removes the
 * record; says what it found. Call it only while holding the home's `tevis up` lock, so the
 * server cannot belong to a run that is still alive.
 */
export async function stopLeftoverDevServer(pidFile: string, note: (text: string) => void): Promise<void> {
  const record = readPidFile<DevServerRecord>(pidFile);
  if (!record) return;
  if (!isSameProcess(record)) {
    removePidFileOf(pidFile, record);
    return;
  }
  note(
    `found the Temporal dev server (pid ${record.pid}, port ${record.port}, since ${record.since}) left running by a \`tevis up\` (pid ${record.ownerPid}) that did not stop it; stopping it and starting a fresh one on the same data`,
  );
  await terminate(record);
  removePidFileOf(pidFile, record);
  note(`stopped the leftover Temporal dev server (pid ${record.pid})`);
}

/** SIGTERM (the server closes its SQLite file), SIGKILL after a grace period. */
async function terminate(identity: ProcessIdentity): Promise<void> {
  signal(identity.pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (isSameProcess(identity) && Date.now() < deadline) await sleep(100);
  if (!isSameProcess(identity)) return;
  signal(identity.pid, 'SIGKILL');
  const killDeadline = Date.now() + STOP_GRACE_MS;
  while (isSameProcess(identity) && Date.now() < killDeadline) await sleep(100);
  if (isSameProcess(identity))
    throw new Error(
      `the leftover Temporal dev server (pid ${identity.pid}) survives SIGKILL; stop it by hand`,
    );
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone between the check and the signal.
  }
}
