import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimPidFile, readPidFile, removePidFileOf } from '../../runtime/pid-file.js';
import { identityOf, isSameProcess } from '../../runtime/process-identity.js';
import { lockHome, runningUp, UpAlreadyRunning, upLockFile, type UpRecord } from '../../runtime/up-lock.js';

/** A pid that ran and is gone: a child that has exited and been reaped. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('the `tevis up` lock', () => {
  let home: string;
  const notes: string[] = [];
  const note = (text: string) => notes.push(text);

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'tevis-up-lock-'));
    notes.length = 0;
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('is taken, names its holder, and is released', () => {
    const lock = lockHome(home, 'http://127.0.0.1:1', note);
    expect(readPidFile<UpRecord>(upLockFile(home))).toMatchObject({
      pid: process.pid,
      home,
      apiUrl: 'http://127.0.0.1:1',
    });
    expect(runningUp(home)?.pid).toBe(process.pid);
    lock.release();
    expect(existsSync(upLockFile(home))).toBe(false);
    expect(runningUp(home)).toBeNull();
    expect(notes).toEqual([]);
  });

  it('refuses a second taker while its holder lives, naming pid, start and how to stop it', () => {
    const lock = lockHome(home, 'http://127.0.0.1:1', note);
    try {
      let refusal: unknown;
      try {
        lockHome(home, 'http://127.0.0.1:2', note);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(UpAlreadyRunning);
      expect((refusal as Error).message).toContain(
        `(pid ${process.pid}, since ${lock.record.since}, API http://127.0.0.1:1)`,
      );
      expect((refusal as Error).message).toContain(`kill ${process.pid}`);
      // The refused taker changed nothing.
      expect(readPidFile<UpRecord>(upLockFile(home))).toEqual(lock.record);
    } finally {
      lock.release();
    }
  });

  it('takes over the lock of a holder that is gone, and says so', () => {
    const gone = deadPid();
    writeFileSync(
      upLockFile(home),
      JSON.stringify({ pid: gone, startTime: '1', since: '2026-01-01T00:00:00.000Z', home, apiUrl: 'x' }),
    );
    const lock = lockHome(home, 'http://127.0.0.1:1', note);
    expect(lock.record.pid).toBe(process.pid);
    expect(notes).toEqual([
      expect.stringContaining(`(pid ${gone}, since 2026-01-01T00:00:00.000Z) is gone without stopping`),
    ]);
    lock.release();
  });

  it('takes over a lock whose pid now belongs to another process (another start time)', () => {
    // This very pid, but "started" at another time: a reused pid, not the holder.
    const self = identityOf(process.pid)!;
    expect(self.startTime).not.toBeNull();
    writeFileSync(
      upLockFile(home),
      JSON.stringify({ pid: process.pid, startTime: `${self.startTime}0`, since: 'then', home, apiUrl: 'x' }),
    );
    const lock = lockHome(home, 'http://127.0.0.1:1', note);
    expect(lock.record.startTime).toBe(self.startTime);
    expect(notes).toHaveLength(1);
    lock.release();
  });

  it('replaces a file that holds no record', () => {
    writeFileSync(upLockFile(home), 'not json');
    const lock = lockHome(home, 'http://127.0.0.1:1', note);
    expect(notes).toEqual([expect.stringContaining('held no readable record')]);
    lock.release();
  });
});

describe('pid files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tevis-pid-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are claimed by one of two, and leave no temporary files', () => {
    const path = join(dir, 'x.pid');
    const me = identityOf(process.pid)!;
    expect(claimPidFile(path, { ...me, n: 1 })).toEqual({ claimed: true });
    expect(claimPidFile(path, { ...me, n: 2 })).toEqual({ claimed: false, holder: { ...me, n: 1 } });
    expect(readdirSync(dir)).toEqual(['x.pid']);
  });

  it('are removed only by the identity they hold', () => {
    const path = join(dir, 'x.pid');
    const me = identityOf(process.pid)!;
    claimPidFile(path, { ...me });
    expect(removePidFileOf(path, { pid: me.pid + 1, startTime: me.startTime })).toBe(false);
    expect(readPidFile(path)).toEqual(me);
    expect(removePidFileOf(path, me)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('tell a live process from a gone one', () => {
    expect(isSameProcess(identityOf(process.pid)!)).toBe(true);
    expect(identityOf(deadPid())).toBeNull();
  });
});
