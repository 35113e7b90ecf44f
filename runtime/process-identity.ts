import { readFileSync } from 'node:fs';

/**
 * A process as a pid file should remember it: the pid alone is not enough, because pids are
 * reused, and a pid file left by a `kill -9` could otherwise name some unrelated process that
 * happens to have the same number. The kernel's start time (field 22 of /proc/<pid>/stat, in
 * clock ticks since boot) never changes for a process and differs between two processes that
 * had the same pid, so (pid, start time) names exactly one process.
 */
export interface ProcessIdentity {
  pid: number;
  /** /proc start time; null where there is no /proc (then only liveness can be checked). */
  startTime: string | null;
}

/** The identity of a running process, or null when no such process exists. */
export function identityOf(pid: number): ProcessIdentity | null {
  if (!isAlive(pid)) return null;
  const stat = procStat(pid);
  // A zombie has finished; it only waits for its parent to read its exit status.
  if (stat?.state === 'Z') return null;
  return { pid, startTime: stat?.startTime ?? null };
}

/** Whether the process `recorded` names is still the one running under that pid. */
export function isSameProcess(recorded: ProcessIdentity): boolean {
  const now = identityOf(recorded.pid);
  if (!now) return false;
  // Without /proc on either side, a live pid is the best that can be said.
  if (now.startTime === null || recorded.startTime === null) return true;
  return now.startTime === recorded.startTime;
}

/** The command line of a process, readable for people (`temporal server start-dev …`), or null. */
export function commandLineOf(pid: number): string | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const text = raw.split('\0').filter(Boolean).join(' ');
    return text || null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function procStat(pid: number): { state: string; startTime: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // afterName[0] is field 3 (state), so field 22 (start time) is at index 19.
    const [state, startTime] = [afterName[0], afterName[19]];
    if (state && startTime) return { state, startTime };
  } catch {
    // No /proc here (or the process is gone this very moment).
  }
  return null;
}
