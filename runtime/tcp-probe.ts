import { connect } from 'node:net';

/**
 * Whether anything listens at `host:port`, as Node says it (`connect ECONNREFUSED 127.0.0.1:7233`,
 * `getaddrinfo ENOTFOUND temporal`): the Temporal drivers only say they missed a deadline.
 */
export function probeTcp(address: string, timeoutMs: number): Promise<void> {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    return Promise.reject(new Error(`TEMPORAL_ADDRESS must be HOST:PORT, got "${address}"`));
  }
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(Object.assign(new Error(`connect ETIMEDOUT ${address}`), { code: 'ETIMEDOUT' })),
    );
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}
