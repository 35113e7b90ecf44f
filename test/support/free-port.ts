import { createServer } from 'node:net';

/**
 * A loopback port that was free a moment ago. Another process could take it before the caller
 * binds it; the servers started with it fail loudly in that case, which is rare enough for tests.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('the OS gave no port'))));
    });
  });
}
