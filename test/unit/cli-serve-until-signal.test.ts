import { describe, expect, it } from 'vitest';
import { serveUntilSignal } from '../../cli/serve-until-signal.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('serveUntilSignal', () => {
  it('stops cleanly on the first signal and forces an exit on the second', async () => {
    const notes: string[] = [];
    const exits: number[] = [];
    let stops = 0;
    let finishStop!: () => void;
    const handle = { stop: () => (stops++, new Promise<void>((resolve) => (finishStop = resolve))) };
    const serving = serveUntilSignal(Promise.resolve(handle), {
      onStarted: () => notes.push('started'),
      note: (t) => notes.push(t),
      forceExit: ((code: number) => void exits.push(code)) as (code: number) => never,
    });
    await tick();
    process.emit('SIGINT', 'SIGINT');
    await tick();
    expect(stops).toBe(1);
    process.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([130]);
    finishStop();
    await serving;
    expect(notes[0]).toBe('started');
    expect(notes.at(-1)).toBe('stopped');
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('stops right after starting when the signal came during the start', async () => {
    let stopped = false;
    let finishStart!: (h: { stop(): Promise<void> }) => void;
    const starting = new Promise<{ stop(): Promise<void> }>((resolve) => (finishStart = resolve));
    const started: string[] = [];
    const serving = serveUntilSignal(starting, { onStarted: () => started.push('x'), note: () => {} });
    process.emit('SIGTERM', 'SIGTERM');
    finishStart({
      stop: async () => {
        stopped = true;
      },
    });
    await serving;
    expect(stopped).toBe(true);
    expect(started).toEqual([]);
  });
});

describe('serveUntilSignal with a start that waits', () => {
  it('aborts the start’s signal on the first SIGTERM, so a start waiting for its services ends at once', async () => {
    const notes: string[] = [];
    let seen: AbortSignal | undefined;
    const serving = serveUntilSignal(
      (signal) =>
        new Promise<{ stop(): Promise<void> }>((resolve) => {
          seen = signal;
          signal.addEventListener('abort', () => resolve({ stop: async () => {} }));
        }),
      { onStarted: () => notes.push('started'), note: (t) => notes.push(t) },
    );
    await tick();
    expect(seen?.aborted).toBe(false);
    process.emit('SIGTERM', 'SIGTERM');
    await serving;
    expect(seen?.aborted).toBe(true);
    expect(notes).not.toContain('started');
    expect(notes.at(-1)).toBe('stopped');
  });
});
