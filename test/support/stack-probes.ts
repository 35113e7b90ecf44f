import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { waitFor } from './poll.js';
import type { ManagedProcess } from './processes.js';

/** What the split-stack suites look at from outside: the API's health, its token, ports, workspaces. */

/** Polls /health until the API answers; fails with the process output if it exits first. */
export async function waitForHealth(url: string, proc?: ManagedProcess, timeoutMs = 180_000): Promise<void> {
  await waitFor(
    `${url}/health`,
    async () => {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
      return response.ok;
    },
    { alive: proc ? [proc] : [], timeoutMs, intervalMs: 300 },
  );
}

export async function readToken(home: string): Promise<string> {
  return (await readFile(join(home, 'api-token'), 'utf8')).trim();
}

/** Entries of `$home/session-repos` that belong to `sessionId` (the workspace and any leftovers). */
export function sessionRepoEntries(home: string, sessionId: string): string[] {
  const dir = join(home, 'session-repos');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name === sessionId || name.startsWith(`${sessionId}.`));
}

export function countTypes(events: { type: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` right now. */
export function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(3000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Logs how long each step of a test took (for reading, never asserted). */
export function stepLogger(prefix: string): (what: string) => void {
  let last = performance.now();
  return (what) => {
    const now = performance.now();
    console.log(`[${prefix}] ${what} (+${((now - last) / 1000).toFixed(1)} s)`);
    last = now;
  };
}
