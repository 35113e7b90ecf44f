import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from './node-bundle.js';

/* The executors bind-mount the bundle read-only at ACP_RUNNER_IN_TPU (activities/tpu/tpu-spec.ts). */

/** Found next to this file, so it resolves the same under tsx and in the production image. */
const RUNNER_SOURCE = fileURLToPath(new URL('./runner.ts', import.meta.url));

const written = new Map<string, Promise<string>>();

/**
 * The runner (tpu/acp/runner.ts) bundled and written to `directory` as `acp-runner-<hash>.mjs`; the
 * path. The name carries a hash of the content, so a TPU still running an older runner keeps its
 * file and a new one never half-replaces it. Built once a process; a failure is not kept, so the
 * next call tries again.
 */
export function acpRunnerBundle(directory = join(tmpdir(), 'tevis-acp-runner')): Promise<string> {
  // One write a directory however it is spelled: two at once would share the temp file's name.
  const dir = resolve(directory);
  let path = written.get(dir);
  if (!path) {
    path = writeBundle(dir);
    written.set(dir, path);
    path.catch(() => written.delete(dir));
  }
  return path;
}

async function writeBundle(dir: string): Promise<string> {
  const content = await bundleForNode(RUNNER_SOURCE);
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 16);
  await ownDirectory(dir);
  const path = join(dir, `acp-runner-${hash}.mjs`);
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temp, content, { mode: 0o644 });
    // The umask may have narrowed it: the TPU's uid 10001 must read the file.
    await chmod(temp, 0o644);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return path;
}

/**
 * The directory, made if missing. Under a shared /tmp another user could have made it first and
 * could then swap the file every TPU runs: only a real directory of ours that nobody else may
 * write is used.
 */
async function ownDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const stats = await lstat(dir);
  const uid = process.getuid?.();
  if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid) || (stats.mode & 0o022) !== 0)
    throw new Error(
      `${dir} is not a directory of this user that only it may write: remove it, or choose another directory`,
    );
}
