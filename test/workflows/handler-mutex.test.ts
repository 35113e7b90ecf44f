import { describe, expect, it } from 'vitest';
import { HandlerMutex } from '../../workflows/handler-mutex.js';

/**
 * HandlerMutex replaced three promise chains in the workflows; the order of commands in recorded
 * histories depends on the microtask each step starts and answers in. Each case runs the same
 * steps through the chain it replaced (as it was written in the workflows before) and through the
 * mutex, beside a ticker that logs every microtask, and expects the same log.
 */

type Log = string[];

/** Logs `tick N` in each of the next `count` microtasks. */
function ticker(log: Log, count = 30): Promise<void> {
  let chain = Promise.resolve();
  for (let n = 1; n <= count; n++) chain = chain.then(() => void log.push(`tick ${n}`));
  return chain;
}

/** A step that logs its start, waits `ticks` microtasks (an activity's resolution), then its end. */
function step(log: Log, name: string, ticks: number, fail = false) {
  return async () => {
    log.push(`${name} starts`);
    for (let n = 0; n < ticks; n++) await Promise.resolve();
    log.push(`${name} ends`);
    if (fail) throw new Error(`${name} failed`);
    return name;
  };
}

async function scenario(run: (log: Log) => Promise<unknown>[]): Promise<Log> {
  const log: Log = [];
  const answers = run(log).map((p, i) =>
    p.then(
      (value) => void log.push(`answer ${i}: ${value}`),
      (error: Error) => void log.push(`answer ${i}: ${error.message}`),
    ),
  );
  await Promise.all([ticker(log), ...answers]);
  return log;
}

/** `serially` as session-workflow.ts had it (and session-context.ts its edit queue). */
function oldSerially() {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(s: () => Promise<T>): Promise<T> => {
    const next = queue.then(s);
    queue = next.catch(() => undefined);
    return next;
  };
}

/** The merge chain of session-nanocycles.ts, with its count of pending merges. */
function oldMergeChain() {
  let merges: Promise<unknown> = Promise.resolve();
  return <T>(s: () => Promise<T>): Promise<T> => {
    const next = merges.then(s);
    merges = next.catch(() => undefined).finally(() => undefined);
    return next;
  };
}

/** `decideOnce` of session-review.ts. */
function oldDecideOnce() {
  return <T>(s: () => Promise<T>): Promise<T> => s().finally(() => undefined);
}

const steps = (log: Log, runStep: <T>(s: () => Promise<T>) => Promise<T>) => [
  runStep(step(log, 'a', 3)),
  runStep(step(log, 'b', 1, true)),
  runStep(step(log, 'c', 2)),
];

describe('HandlerMutex', () => {
  it('runs steps one at a time in the order asked; a failed one fails only its caller', async () => {
    const mutex = new HandlerMutex();
    const log = await scenario((log) => steps(log, (s) => mutex.runExclusive(s)));
    const order = log.filter((line) => !line.startsWith('tick'));
    expect(order).toEqual([
      'a starts',
      'a ends',
      'answer 0: a',
      'b starts',
      'b ends',
      'answer 1: b failed',
      'c starts',
      'c ends',
      'answer 2: c',
    ]);
  });

  it('starts and answers each step in the same microtask as the serially chain it replaced', async () => {
    const old = oldSerially();
    const mutex = new HandlerMutex();
    expect(await scenario((log) => steps(log, (s) => mutex.runExclusive(s)))).toEqual(
      await scenario((log) => steps(log, old)),
    );
  });

  it('with releaseInChain, in the same microtask as the merge chain it replaced', async () => {
    const old = oldMergeChain();
    const mutex = new HandlerMutex({ releaseInChain: true });
    const plain = new HandlerMutex();
    const withMutex = await scenario((log) => steps(log, (s) => mutex.runExclusive(s)));
    expect(withMutex).toEqual(await scenario((log) => steps(log, old)));
    // The release in the chain is what makes the difference: without it c starts earlier.
    expect(withMutex).not.toEqual(await scenario((log) => steps(log, (s) => plain.runExclusive(s))));
  });

  it('runNow starts the step in the caller’s microtask and answers as decideOnce did', async () => {
    const old = oldDecideOnce();
    const mutex = new HandlerMutex();
    expect(await scenario((log) => [mutex.runNow(step(log, 'a', 3))])).toEqual(
      await scenario((log) => [old(step(log, 'a', 3))]),
    );
  });

  it('counts the steps not yet settled and settles after all of them', async () => {
    const mutex = new HandlerMutex({ releaseInChain: true });
    const log: Log = [];
    expect(mutex.locked).toBe(false);
    const first = mutex.runExclusive(step(log, 'a', 2));
    const second = mutex.runExclusive(step(log, 'b', 2, true));
    expect(mutex.pending).toBe(2);
    expect(mutex.locked).toBe(true);
    await mutex.settled();
    await expect(first).resolves.toBe('a');
    await expect(second).rejects.toThrow('b failed');
    expect(mutex.pending).toBe(0);
    expect(log).toEqual(['a starts', 'a ends', 'b starts', 'b ends']);
  });

  it('refuses runNow while a step holds it, and is free again once the step settled', async () => {
    const mutex = new HandlerMutex();
    const log: Log = [];
    const running = mutex.runNow(step(log, 'a', 2));
    expect(mutex.locked).toBe(true);
    expect(() => mutex.runNow(step(log, 'b', 1))).toThrow(/locked/);
    await running;
    expect(mutex.locked).toBe(false);
    await expect(mutex.runNow(step(log, 'c', 1))).resolves.toBe('c');
    expect(log).toEqual(['a starts', 'a ends', 'c starts', 'c ends']);
  });
});
