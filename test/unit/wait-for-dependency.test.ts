import { describe, expect, it } from 'vitest';
import { waitBoundSeconds } from '../../runtime/dependency-waits.js';
import { isNotReadyYet } from '../../runtime/not-ready-errors.js';
import { postgresDependency, temporalDependency } from '../../runtime/service-dependencies.js';
import {
  backoffGapMs,
  DependencyUnavailable,
  type Dependency,
  LONGEST_GAP_MS,
  WaitAborted,
  waitForDependency,
} from '../../runtime/wait-for-dependency.js';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
    code: 'ECONNREFUSED',
    syscall: 'connect',
  });
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

/** A clock that moves only when the wait sleeps: the schedule is checked without waiting. */
function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

/** An attempt that fails with `errors` in turn, then answers `value`. */
function failing<T>(errors: unknown[], value: T) {
  let tries = 0;
  return {
    get tries() {
      return tries;
    },
    attempt: async () => {
      const error = errors[tries++];
      if (error !== undefined) throw error;
      return value;
    },
  };
}

const postgres = postgresDependency('postgres://tevis:s3cr%21t@db.internal:6543/tevis');

describe('backoffGapMs', () => {
  it('doubles from 1 s to a 30 s cap, each gap between half and all of its step', () => {
    const low = Array.from({ length: 9 }, (_, i) => backoffGapMs(i, () => 0));
    const high = Array.from({ length: 9 }, (_, i) => backoffGapMs(i, () => 1));
    expect(low).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(high).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
    expect(Math.max(...high)).toBe(LONGEST_GAP_MS);
  });

  it('never shrinks from one try to the next, whatever the jitter draws', () => {
    for (let i = 0; i < 30; i++)
      expect(backoffGapMs(i + 1, () => 0)).toBeGreaterThanOrEqual(backoffGapMs(i, () => 1));
  });
});

describe('waitForDependency', () => {
  it('says what it waits for, why and when it tries next, once per try, then that it is up', async () => {
    const time = fakeTime();
    const notes: string[] = [];
    const service = failing([refused(), refused(), refused()], 'db');
    const value = await waitForDependency(postgres, service.attempt, {
      boundSeconds: undefined,
      signal: new AbortController().signal,
      note: (line) => notes.push(line),
      random: () => 1,
      ...time,
    });
    expect(value).toBe('db');
    expect(service.tries).toBe(4);
    expect(time.sleeps).toEqual([1000, 2000, 4000]);
    expect(notes).toEqual([
      'waiting for Postgres at db.internal:6543 (connect ECONNREFUSED 127.0.0.1:5432); next try in 1 s',
      'waiting for Postgres at db.internal:6543 (connect ECONNREFUSED 127.0.0.1:5432); next try in 2 s',
      'waiting for Postgres at db.internal:6543 (connect ECONNREFUSED 127.0.0.1:5432); next try in 4 s',
      'Postgres is up',
    ]);
  });

  it('ends at once on an error waiting cannot fix, naming the fix', async () => {
    const time = fakeTime();
    const service = failing([pgError('28P01', 'password authentication failed for user "tevis"')], 'db');
    const waiting = waitForDependency(postgres, service.attempt, {
      boundSeconds: undefined,
      signal: new AbortController().signal,
      note: () => {},
      ...time,
    });
    await expect(waiting).rejects.toThrow(DependencyUnavailable);
    await expect(waiting).rejects.toThrow(
      'Postgres at db.internal:6543: password authentication failed for user "tevis"; fix the user or password in DATABASE_URL',
    );
    expect(service.tries).toBe(1);
    expect(time.sleeps).toEqual([]);
  });

  it('stops trying when the bound is reached, its last try made at the bound', async () => {
    const time = fakeTime();
    const service = failing(Array.from({ length: 50 }, refused), 'db');
    const waiting = waitForDependency(postgres, service.attempt, {
      boundSeconds: 10,
      signal: new AbortController().signal,
      note: () => {},
      random: () => 1,
      ...time,
    });
    await expect(waiting).rejects.toThrow(
      'Postgres at db.internal:6543 is unreachable after waiting 10 s (connect ECONNREFUSED 127.0.0.1:5432); TEVIS_WAIT_FOR_DEPENDENCIES_SECONDS bounds the wait',
    );
    expect(time.sleeps).toEqual([1000, 2000, 4000, 3000]);
    expect(service.tries).toBe(5);
  });

  it('tries once with a bound of 0', async () => {
    const time = fakeTime();
    const service = failing([refused(), refused()], 'db');
    await expect(
      waitForDependency(postgres, service.attempt, {
        boundSeconds: 0,
        signal: new AbortController().signal,
        note: () => {},
        ...time,
      }),
    ).rejects.toThrow('Postgres at db.internal:6543 is unreachable (connect ECONNREFUSED');
    expect(service.tries).toBe(1);
  });

  it('ends with WaitAborted when the signal fires during a try that hangs', async () => {
    const stop = new AbortController();
    const hanging: Dependency = { name: 'Temporal', where: 'x:1', configurationError: () => null };
    const waiting = waitForDependency(hanging, () => new Promise<never>(() => {}), {
      boundSeconds: undefined,
      signal: stop.signal,
      note: () => {},
    });
    stop.abort();
    await expect(waiting).rejects.toThrow(WaitAborted);
  });

  it('never prints the password of DATABASE_URL, even from a driver that would', async () => {
    const notes: string[] = [];
    const leaky = failing([Object.assign(new Error('connect to s3cr!t failed'), { code: 'ECONNRESET' })], 1);
    await waitForDependency(postgres, leaky.attempt, {
      boundSeconds: undefined,
      signal: new AbortController().signal,
      note: (line) => notes.push(line),
      ...fakeTime(),
    });
    expect(notes.join('\n')).not.toContain('s3cr!t');
    expect(notes[0]).toContain('connect to *** failed');
  });
});

describe('isNotReadyYet: not ready yet, or a configuration to fix', () => {
  const notReady: Array<[string, unknown]> = [
    ['refused', refused()],
    ['DNS not resolving yet', Object.assign(new Error('getaddrinfo ENOTFOUND db'), { code: 'ENOTFOUND' })],
    ['DNS try again', Object.assign(new Error('getaddrinfo EAI_AGAIN db'), { code: 'EAI_AGAIN' })],
    ['timeout', Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })],
    ['pg connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pg dropped', new Error('Connection terminated unexpectedly')],
    ['Postgres starting up', pgError('57P03', 'the database system is starting up')],
    [
      'engine socket not there yet',
      Object.assign(new Error('connect ENOENT /run/docker.sock'), { code: 'ENOENT', syscall: 'connect' }),
    ],
    ['Temporal client deadline', new Error('Failed to connect before the deadline')],
    [
      'Temporal core refused',
      new Error('tonic::transport::Error(Transport, ConnectError(ConnectError("tcp connect error", …)))'),
    ],
    ['gRPC UNAVAILABLE', Object.assign(new Error('14 UNAVAILABLE: no connection'), { code: 14 })],
    ['wrapped in a cause', new Error('start failed', { cause: refused() })],
  ];
  const configuration: Array<[string, unknown]> = [
    ['wrong password', pgError('28P01', 'password authentication failed for user "tevis"')],
    ['unknown role', pgError('28000', 'role "nobody" does not exist')],
    ['no such database', pgError('3D000', 'database "nope" does not exist')],
    ['server without TLS', new Error('The server does not support SSL connections')],
    [
      'certificate',
      Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
    ],
    ['TLS over a reset', Object.assign(new Error('TLS handshake failed'), { code: 'ECONNRESET' })],
    [
      'missing TLS file',
      Object.assign(new Error('TEMPORAL_TLS_CA: cannot read /x (ENOENT)'), {
        code: 'ENOENT',
        syscall: 'open',
      }),
    ],
    [
      'namespace not found',
      Object.assign(new Error('5 NOT_FOUND: Namespace nope is not found'), { code: 5 }),
    ],
  ];
  it.each(notReady)('%s: waits', (_name, error) => expect(isNotReadyYet(error)).toBe(true));
  it.each(configuration)('%s: fails at once', (_name, error) => expect(isNotReadyYet(error)).toBe(false));
});

describe('the settings the waits read', () => {
  it('refuses a DATABASE_URL that is not a Postgres URL before any try, without echoing it', () => {
    for (const url of ['not a url', 'mysql://u:pw@h/db', '']) {
      expect(() => postgresDependency(url)).toThrow(
        'DATABASE_URL is not a Postgres URL; set it as postgres://USER:PASSWORD@HOST:5432/DATABASE',
      );
    }
  });

  it('says where each service is, without the password', () => {
    expect(postgres.where).toBe('db.internal:6543');
    expect(postgresDependency('postgresql://u@localhost/db').where).toBe('localhost:5432');
    expect(temporalDependency('temporal:7233').where).toBe('temporal:7233');
  });

  it('TEVIS_WAIT_FOR_DEPENDENCIES_SECONDS: unset waits forever, 0 tries once, nonsense is refused', () => {
    expect(waitBoundSeconds({})).toBeUndefined();
    expect(waitBoundSeconds({ TEVIS_WAIT_FOR_DEPENDENCIES_SECONDS: '0' })).toBe(0);
    expect(waitBoundSeconds({ TEVIS_WAIT_FOR_DEPENDENCIES_SECONDS: '90' })).toBe(90);
    expect(() => waitBoundSeconds({ TEVIS_WAIT_FOR_DEPENDENCIES_SECONDS: '-1' })).toThrow(
      'TEVIS_WAIT_FOR_DEPENDENCIES_SECONDS must be a number of seconds (0 or more), got "-1"',
    );
  });
});
