import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TPU_UID } from './tpu-spec.js';

let written: Promise<string> | null = null;

/**
 * The sandbox's /etc, written once per process and removed when it exits: a user and group for
 * TPU_UID (so `id`, `whoami` and tools that look the user up work) and loopback names. Nothing of
 * the host's /etc goes in.
 */
export function writeSandboxEtc(): Promise<string> {
  written ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tevis-sandbox-etc-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    await writeFile(
      join(dir, 'passwd'),
      `root:x:0:0:root:/nonexistent:/usr/sbin/nologin\ntevis:x:${TPU_UID}:${TPU_UID}:Tevis TPU:/tmp:/bin/sh\n`,
      { mode: 0o644 },
    );
    await writeFile(join(dir, 'group'), `root:x:0:\ntevis:x:${TPU_UID}:\n`, { mode: 0o644 });
    await writeFile(join(dir, 'hosts'), '127.0.0.1 localhost\n::1 localhost\n', { mode: 0o644 });
    return dir;
  })();
  return written;
}
