import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import type { ProcessIdentity } from './process-identity.js';

/**
 * A JSON pid file naming one process by its identity (pid and start time), plus what the owner
 * wants others to know (since when, which port). Created atomically: the record is written to a
 * private temporary file first and then hard-linked into place, which fails if the name exists.
 * So a reader never sees a half-written record, and of two creators exactly one wins.
 */
export type PidRecord = ProcessIdentity & Record<string, unknown>;

export type Claim<T extends PidRecord> = { claimed: true } | { claimed: false; holder: T | null };

/** Creates `path` holding `record` unless it exists; then reports what it holds (null: unreadable). */
export function claimPidFile<T extends PidRecord>(path: string, record: T): Claim<T> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
    return { claimed: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { claimed: false, holder: readPidFile<T>(path) };
  } finally {
    unlinkSync(temporary);
  }
}

/** The record in `path`, or null when there is none or it is not one. */
export function readPidFile<T extends PidRecord>(path: string): T | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = JSON.parse(text) as T;
    return Number.isInteger(parsed.pid) ? parsed : null;
  } catch {
    return null;
  }
}

/** Writes `record` to `path`, replacing what was there (for a file only its owner writes). */
export function writePidFile(path: string, record: PidRecord): void {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, path);
}

/**
 * Removes `path` if it still holds the record of `expected` (so an owner never removes a file a
 * successor has written meanwhile). Returns whether it did.
 *
 * The file is first renamed to a name only this call uses (rename is atomic: of two callers, one
 * gets the file), then checked; a record that turns out to be someone else's is linked back.
 */
export function removePidFileOf(path: string, expected: ProcessIdentity): boolean {
  const tomb = `${path}.removing.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, tomb);
  } catch {
    return false;
  }
  const taken = readPidFile(tomb);
  if (taken && (taken.pid !== expected.pid || taken.startTime !== expected.startTime)) {
    try {
      linkSync(tomb, path);
    } catch {
      // A third process made a new record in the instant between: the newer one stands.
    }
    unlinkSync(tomb);
    return false;
  }
  unlinkSync(tomb);
  return true;
}
