import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { commandLineOf } from './process-identity.js';

/**
 * Who listens on a TCP port of this host, for messages that name the holder instead of saying
 * "address in use". Linux only (/proc/net/tcp and the sockets among each process's descriptors);
 * elsewhere, or for another user's process without the right to read its descriptors, the port
 * is known to be held but not by whom.
 */
export interface PortHolder {
  pid: number;
  command: string | null;
}

/** Whether `host`:`port` can be bound right now (nothing listens there). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The process listening on `port` (any local address), or null when none is found. */
export function findPortHolder(port: number): PortHolder | null {
  const inodes = listeningSocketInodes(port);
  if (inodes.size === 0) return null;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) return { pid: Number(pid), command: commandLineOf(Number(pid)) };
    }
  }
  return null;
}

/** "pid 1234 (temporal server start-dev …)", or a plain "another process" when unknown. */
export function describeHolder(holder: PortHolder | null): string {
  if (!holder) return 'another process (its owner could not be read from /proc)';
  const command = holder.command
    ? ` (${holder.command.length > 120 ? `${holder.command.slice(0, 117)}…` : holder.command})`
    : '';
  return `pid ${holder.pid}${command}`;
}

const TCP_LISTEN = '0A';

function listeningSocketInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const wantedPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; st is field 3; the inode field 9.
      const [, local, , state] = fields;
      const inode = fields[9];
      if (!local || state !== TCP_LISTEN || !inode || inode === '0') continue;
      if (local.split(':')[1] === wantedPort) inodes.add(inode);
    }
  }
  return inodes;
}
