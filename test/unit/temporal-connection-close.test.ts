import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalConnectionOptions } from '../../runtime/temporal-connection-options.js';
import { freeLoopbackPort } from '../support/free-port.js';

/**
 * The Temporal client retries a call that found no server after a timer; a connection closed
 * before that timer fires (an API stopping during a Temporal outage) made the retry throw
 * "Channel has been shut down" from the timer: an uncaught exception, which ends the process.
 */

const uncaught: unknown[] = [];
const recordUncaught = (err: unknown) => uncaught.push(err);

beforeAll(() => {
  process.on('uncaughtException', recordUncaught);
});

afterAll(() => {
  process.off('uncaughtException', recordUncaught);
});

describe('a Temporal connection closed while a call waits to retry', () => {
  it('fails the call, and nothing is thrown from the retry timer', async () => {
    // Nothing listens there: every attempt is refused, and the client keeps retrying for seconds.
    const address = `127.0.0.1:${await freeLoopbackPort()}`;
    const connection = Connection.lazy({ address, ...temporalConnectionOptions() });
    const call = connection.workflowService.getSystemInfo({}).then(
      () => 'answered',
      (error: unknown) => error,
    );
    // Long enough for several refused attempts, each followed by a retry timer.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await connection.close();
    expect(await call).toBeInstanceOf(Error);
    // The longest retry gap of the client's default policy is well under this.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(uncaught).toEqual([]);
  }, 30_000);
});
