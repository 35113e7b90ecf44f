import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { freeLoopbackPort } from '../support/free-port.js';

const ephemeralStart = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
);

it('picks ports below the ephemeral range, where no outbound connection takes them, and each can be bound', async () => {
  const ports = await Promise.all(Array.from({ length: 20 }, () => freeLoopbackPort()));
  for (const port of ports) {
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(ephemeralStart);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  }
  // Random picks, not one port over and over.
  expect(new Set(ports).size).toBeGreaterThan(10);
});
