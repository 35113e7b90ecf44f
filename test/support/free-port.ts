import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Below this, ports are the well-known and registered ones services expect to find. */
const LOWEST = 20_000;
const TRIES = 50;

/**
 * A loopback port that was free a moment ago, from below the kernel's ephemeral range. A port the
 * kernel hands out for `listen(0)` is in that range, which is also where every outbound
 * connection of the suite gets its source port: a test server given such a port could find it
 * taken by some client's connection before it binds (`tevis up` did: "bind: address already in
 * use" on the UI port the test had picked). Below the range only another explicit bind can take
 * it, and the pick is random, so two pickers rarely meet.
 */
export async function freeLoopbackPort(): Promise<number> {
  const top = ephemeralRangeStart() - 1;
  if (top > LOWEST) {
    for (let i = 0; i < TRIES; i++) {
      const port = randomInt(LOWEST, top + 1);
      if ((await bindLoopback(port).catch(() => 0)) === port) return port;
    }
  }
  return bindLoopback(0);
}

/** Binds, reads back the port, and lets go of it. */
function bindLoopback(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (bound ? resolve(bound) : reject(new Error('the OS gave no port'))));
    });
  });
}

function ephemeralRangeStart(): number {
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    return Number.isInteger(first) && first > 0 ? first : 32_768;
  } catch {
    // Not Linux: the IANA dynamic range, where most other systems start theirs.
    return 49_152;
  }
}
