import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import type { ProcessIdentity } from './process-identity.js';

/**
 * Stops the dev server when the `tevis up` that started it dies without stopping it (kill -9,
 * out of memory), so a crash usually leaves nothing behind at all; the pid file the next run
 * reads (dev-server-record.ts) is the guarantee for when this cannot help.
 *
 * A tiny shell, not a Node process: it reads its stdin, a pipe whose other end only this process
 * holds. When this process ends, however it ends, the kernel closes that end and `read` returns;
 * the shell then stops the server if it is still the same process (pid and start time, so a
 * reused pid is never signalled): SIGTERM, SIGKILL after 10 s. A normal stop closes the pipe
 * after the server has exited, and the shell finds nothing to do.
 */
const SCRIPT = `
read _ignored
same() {
  [ -z "$2" ] && { kill -0 "$1" 2>/dev/null; return; }
  # Fields 3 and 22 of /proc/<pid>/stat: its state (Z: it has already exited) and start time.
  s=$(cut -d' ' -f3,22 "/proc/$1/stat" 2>/dev/null)
  case "$s" in "Z "*) return 1 ;; esac
  [ "\${s#* }" = "$2" ]
}
same "$1" "$2" || exit 0
kill -TERM "$1" 2>/dev/null
i=0
while same "$1" "$2" && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
same "$1" "$2" && kill -KILL "$1" 2>/dev/null
exit 0
`;

/** The name the watchdog runs under (its `$0`), so `ps` says what it is. */
const WATCHDOG_NAME = 'tevis-dev-server-watchdog';

export interface Watchdog {
  pid: number | null;
  /** The server is gone: let the watchdog end. */
  release(): void;
}

export function watchOverDevServer(server: ProcessIdentity): Watchdog {
  const child = spawn('/bin/sh', ['-c', SCRIPT, WATCHDOG_NAME, String(server.pid), server.startTime ?? ''], {
    stdio: ['pipe', 'ignore', 'ignore'],
    // It needs no secret and no setting of ours: only where `cut`, `sleep` and `kill` are.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  // No /bin/sh: there is no watchdog, and the pid file still covers a crash.
  child.on('error', () => {});
  child.stdin?.on('error', () => {});
  // Neither the watchdog nor its pipe may keep `tevis up` alive.
  child.unref();
  (child.stdin as Socket | null)?.unref();
  return {
    pid: child.pid ?? null,
    release: () => child.stdin?.end(),
  };
}
