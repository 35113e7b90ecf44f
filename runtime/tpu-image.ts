import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, open, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { DEFAULT_EXECUTION_SETTINGS } from '../contracts/execution-settings.js';

/**
 * The default TPU image, `tevis-tpu:latest`: a shell and the usual tools (busybox, statically
 * linked, so the image needs no libc), an /etc/passwd that knows the TPU's uid 10001, and empty
 * /tmp and /workspace. Nanocycles whose `run` steps are shell commands work with it as it is; a
 * coding agent needs an image with the agent in it (`tevis project update --image`). It is made
 * locally with the engine's import, so it needs no registry.
 */
export const DEFAULT_TPU_IMAGE = DEFAULT_EXECUTION_SETTINGS.image;

const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox', '/usr/lib/busybox/busybox'];

/**
 * A statically linked busybox (Debian's `busybox-static`), or null. Debian's plain `busybox` is
 * dynamically linked and would not start in an image without a libc: a binary that names a
 * program interpreter (`ld-linux…`) is dynamic.
 */
export async function findStaticBusybox(candidates = BUSYBOX_CANDIDATES): Promise<string | null> {
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    const file = await open(path, 'r');
    try {
      const head = Buffer.alloc(4096);
      const { bytesRead } = await file.read(head, 0, head.length, 0);
      const isElf = head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
      if (
        isElf &&
        !head.subarray(0, bytesRead).includes('ld-linux') &&
        !head.subarray(0, bytesRead).includes('ld-musl')
      )
        return path;
    } finally {
      await file.close();
    }
  }
  return null;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${err.trim()}`)),
    );
  });
}

export interface BuildTpuImageOptions {
  docker: Docker;
  /** Default `tevis-tpu:latest`. */
  tag?: string;
  /** Default: the first static busybox found. */
  busybox?: string;
  onProgress?: (message: string) => void;
  /** Puts more into the root filesystem before the import (runtime/tpu-node-image.ts adds node). */
  addToRootfs?: (rootfs: string) => Promise<void>;
}

export interface BuiltTpuImage {
  tag: string;
  id: string;
  sizeBytes: number;
  applets: number;
}

/** Builds the TPU image from a root filesystem made here; the engine's import gives it its layer. */
export async function buildTpuImage(options: BuildTpuImageOptions): Promise<BuiltTpuImage> {
  const tag = options.tag ?? DEFAULT_TPU_IMAGE;
  const busybox = options.busybox ?? (await findStaticBusybox());
  if (!busybox)
    throw new Error(
      "no statically linked busybox found: install Debian's busybox-static (apt-get install busybox-static)",
    );
  const [repo, version = 'latest'] = splitTag(tag);
  const dir = await mkdtemp(join(tmpdir(), 'tevis-tpu-image-'));
  try {
    options.onProgress?.(`making the root filesystem of ${tag} from ${busybox}`);
    const rootfs = join(dir, 'rootfs');
    for (const sub of ['bin', 'etc', 'tmp', 'workspace', 'proc', 'sys', 'dev'])
      await mkdir(join(rootfs, sub), { recursive: true });
    await chmod(join(rootfs, 'tmp'), 0o1777);
    await copyFile(busybox, join(rootfs, 'bin', 'busybox'));
    await chmod(join(rootfs, 'bin', 'busybox'), 0o755);
    const applets = (await run(busybox, ['--list']))
      .split('\n')
      .filter((a) => a && a !== 'busybox' && !a.includes('/'));
    // Linking busybox onto itself would replace the binary with a dangling loop (hence the filter).
    for (const applet of applets) await symlink('busybox', join(rootfs, 'bin', applet));
    await writeFile(
      join(rootfs, 'etc', 'passwd'),
      'root:x:0:0:root:/root:/bin/sh\ntpu:x:10001:10001:tpu:/tmp:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
    );
    await writeFile(join(rootfs, 'etc', 'group'), 'root:x:0:\ntpu:x:10001:\nnogroup:x:65534:\n');
    await options.addToRootfs?.(rootfs);

    options.onProgress?.(`importing ${tag} into the container engine`);
    const tar = spawn('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', rootfs, '-c', '.'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tarError = '';
    tar.stderr.setEncoding('utf8').on('data', (c: string) => (tarError += c));
    const tarDone = new Promise<number | null>((resolve) => tar.once('close', resolve));
    // An import has no PATH of its own; the engine API's `changes` are the CLI's `--change`.
    const response = await options.docker.importImage(tar.stdout, {
      repo,
      tag: version,
      changes: ['ENV PATH=/bin', 'WORKDIR /workspace', 'USER 10001:10001'],
    } as object);
    const messages = await new Promise<Array<{ error?: string }>>((resolve, reject) =>
      options.docker.modem.followProgress(
        response,
        (error: Error | null, output: Array<{ error?: string }>) => (error ? reject(error) : resolve(output)),
      ),
    );
    const failed = messages.find((m) => m.error);
    if (failed) throw new Error(`the engine refused the import of ${tag}: ${failed.error}`);
    if ((await tarDone) !== 0) throw new Error(`tar of the root filesystem failed: ${tarError.trim()}`);
    const image = await options.docker.getImage(tag).inspect();
    return { tag, id: image.Id, sizeBytes: image.Size, applets: applets.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `repo[:tag]`, where the repo may carry a registry port (`host:5000/x:1`). */
function splitTag(reference: string): [string, string | undefined] {
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/')
    ? [reference.slice(0, colon), reference.slice(colon + 1)]
    : [reference, undefined];
}
