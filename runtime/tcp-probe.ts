import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { TLSConfig } from '@temporalio/client';

/**
 * Whether anything listens at `host:port`, as Node says it (`connect ECONNREFUSED 127.0.0.1:7233`,
 * `getaddrinfo ENOTFOUND temporal`), and, with TLS configured, whether the handshake works: the
 * Temporal drivers say only that they missed a deadline, for a server not up yet and for a TLS
 * mismatch alike, and only the first is worth waiting for.
 */
export async function probeTemporalFrontend(
  address: string,
  timeoutMs: number,
  tls: TLSConfig | undefined,
): Promise<void> {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`TEMPORAL_ADDRESS must be HOST:PORT, got "${address}"`);
  }
  await reach(() => connect({ host, port }), 'connect', address, timeoutMs);
  if (!tls) return;
  await reach(
    () =>
      connectTls({
        host,
        port,
        ca: pem(tls.serverRootCACertificate),
        cert: pem(tls.clientCertPair?.crt),
        key: pem(tls.clientCertPair?.key),
        servername: tls.serverNameOverride ?? (/^[\d.:]+$/.test(host) ? undefined : host),
        ALPNProtocols: ['h2'],
      }),
    'secureConnect',
    address,
    timeoutMs,
  ).catch((error: Error & { reason?: string }) => {
    // Reached a moment ago: a handshake that fails now is a TLS setting, not a server coming up.
    // OpenSSL's message is a dump of its internals; its `reason` is the part people read.
    const why = error.reason ?? error.message.split('\n')[0];
    throw new Error(`TLS handshake with ${address} failed (${why})`, { cause: error });
  });
}

const pem = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes) : undefined);

function reach(
  open: () => ReturnType<typeof connect>,
  event: 'connect' | 'secureConnect',
  address: string,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = open();
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(Object.assign(new Error(`connect ETIMEDOUT ${address}`), { code: 'ETIMEDOUT' })),
    );
    socket.once(event, () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}
