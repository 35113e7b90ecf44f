import { join } from 'node:path';
import { claimPidFile, readPidFile, removePidFileOf } from './pid-file.js';
import { identityOf, isSameProcess, type ProcessIdentity } from './process-identity.js';

/**
 * One `tevis up` per `$TEVIS_HOME`: two would share one PGlite directory, one Temporal SQLite
 * file and one set of workspaces. The lock is the pid file `$TEVIS_HOME/up.pid`, naming its
 * holder by pid and start time, so it cannot go stale: a file left by a `tevis up` that was
 * killed (kill -9, a crash, a power cut) names a process that is gone, or a pid now used by
 * another process with another start time, and the next `tevis up` takes it over and says so.
 */
export interface UpRecord extends ProcessIdentity {
  [key: string]: unknown;
  /** ISO time the holder started. */
  since: string;
  home: string;
  /** Where the holder's API answers (for the refusal and `tevis-local status`). */
  apiUrl: string;
}

export function upLockFile(home: string): string {
  return join(home, 'up.pid');
}

/** A live `tevis up` holds the home: refused, naming it and how to stop it. */
export class UpAlreadyRunning extends Error {
  constructor(readonly holder: UpRecord) {
    super(
      `another \`tevis up\` is already running for TEVIS_HOME ${holder.home} (pid ${holder.pid}, since ${holder.since}, API ${holder.apiUrl}). ` +
        `Use that one, stop it (Ctrl-C in its terminal, or \`kill ${holder.pid}\`), or set TEVIS_HOME to another directory for a second, separate Tevis`,
    );
    this.name = 'UpAlreadyRunning';
  }
}

export interface UpLock {
  record: UpRecord;
  release(): void;
}

/** Claims the home for this process; throws UpAlreadyRunning when a live `tevis up` holds it. */
export function lockHome(home: string, apiUrl: string, note: (text: string) => void): UpLock {
  const path = upLockFile(home);
  const self = identityOf(process.pid)!;
  const record: UpRecord = { ...self, since: new Date().toISOString(), home, apiUrl };
  // A few rounds: between reading a stale record and removing it another start may slip in.
  for (let round = 0; round < 5; round++) {
    const claim = claimPidFile(path, record);
    if (claim.claimed) {
      const release = () => {
        process.off('exit', release);
        removePidFileOf(path, self);
      };
      // A normal exit without stop() (an uncaught error) must not leave the file either.
      process.on('exit', release);
      return { record, release };
    }
    const holder = claim.holder;
    if (holder && isSameProcess(holder)) throw new UpAlreadyRunning(holder);
    if (holder) {
      if (removePidFileOf(path, holder))
        note(
          `the \`tevis up\` recorded in ${path} (pid ${holder.pid}, since ${holder.since}) is gone without stopping (killed?); taking over its lock`,
        );
    } else {
      // Not a record at all (hand-edited, truncated by a full disk): nobody can be named by it.
      const unreadable = readPidFile(path);
      if (!unreadable && removePidFileOf(path, { pid: NaN, startTime: null }))
        note(`${path} held no readable record; replaced it`);
    }
  }
  throw new Error(
    `could not take the lock ${path}: other \`tevis up\` processes keep starting for this TEVIS_HOME`,
  );
}

/** The live `tevis up` of this home, or null (a stale record counts as none). */
export function runningUp(home: string): UpRecord | null {
  const holder = readPidFile<UpRecord>(upLockFile(home));
  return holder && isSameProcess(holder) ? holder : null;
}
