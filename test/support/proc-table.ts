import { readdirSync, readFileSync } from 'node:fs';

/** What /proc says about the processes of this host: who started whom, and in which group. */
export interface ProcEntry {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  cmdline: string;
}

export function procEntry(pid: number): ProcEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields after it are fixed.
    const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { pid, ppid: Number(ppid), pgrp: Number(pgrp), state: state!, cmdline };
  } catch {
    return undefined; // Gone meanwhile.
  }
}

/** Whether `pid` still runs (a zombie, already dead, does not). */
export function isRunning(pid: number): boolean {
  const entry = procEntry(pid);
  return entry !== undefined && entry.state !== 'Z';
}

/** Every live process started, directly or not, by `pid`. */
export function descendantsOf(pid: number): ProcEntry[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => procEntry(Number(name)))
    .filter((e): e is ProcEntry => e !== undefined && e.state !== 'Z');
  const found: ProcEntry[] = [];
  let parents = new Set([pid]);
  while (parents.size) {
    const children = all.filter((e) => parents.has(e.ppid));
    found.push(...children);
    parents = new Set(children.map((e) => e.pid));
  }
  return found;
}
