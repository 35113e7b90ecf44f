import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { temporalConnectionOptions } from './temporal-connection-options.js';

const READY_TIMEOUT_MS = 60_000;

/**
 * Ready means the namespace answers, not merely that the port is open, so callers can start
 * workflows in it straight away.
 */
export async function waitUntilServing(
  address: string,
  namespace: string,
  exited: Promise<string>,
): Promise<void> {
  let exitedHow: string | undefined;
  const died = exited.then((how) => {
    exitedHow = how;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exitedHow) break;
    const attempt = (async () => {
      const connection = await Connection.connect({
        address,
        connectTimeout: '2s',
        ...temporalConnectionOptions(),
      });
      try {
        await connection.workflowService.describeNamespace({ namespace });
      } finally {
        await connection.close();
      }
    })();
    try {
      // An exit ends the wait at once instead of after the connection attempt times out.
      await Promise.race([attempt, died]);
      if (!exitedHow) return;
    } catch (err) {
      lastError = err;
    }
    attempt.catch(() => undefined);
    if (!exitedHow) await sleep(250);
  }
  if (exitedHow) throw new Error(`${exitedHow} before it accepted connections`);
  throw new Error(
    `did not answer within ${READY_TIMEOUT_MS / 1000} s (last error: ${(lastError as Error | undefined)?.message ?? 'none'})`,
  );
}
