import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type BuildTpuImageOptions, type BuiltTpuImage, buildTpuImage } from './tpu-image.js';

/**
 * The Node TPU image, `tevis-tpu-node:latest`: the default TPU image (runtime/tpu-image.ts) plus
 * this host's `node` at /bin/node with the shared libraries it loads, each at the path the host
 * loads it from, and the dynamic loader it names. A Node-based agent and the bundled ACP runner
 * (tpu/acp/runner-bundle.ts) run in it. Made from files already on the host, so it needs no
 * registry either.
 */
export const NODE_TPU_IMAGE = 'tevis-tpu-node:latest';

export interface BuiltNodeTpuImage extends BuiltTpuImage {
  /** The version of the node copied in, e.g. `v20.20.2`. */
  node: string;
  /** The shared libraries and the loader copied beside it, as paths in the image. */
  libraries: string[];
}

const execFileText = promisify(execFile);

/**
 * The absolute paths `ldd` resolves for `binary`, the loader among them; none for a static binary.
 * The vDSO has no path (the kernel maps it), so it is left out by the pattern.
 */
export async function sharedLibraries(binary: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await execFileText('ldd', [binary], { encoding: 'utf8' }));
  } catch (error) {
    const failed = error as Error & { stdout?: string; stderr?: string; code?: unknown };
    // glibc's ldd says it on stdout for a static binary, on stderr for a script.
    if (`${failed.stdout}${failed.stderr}`.includes('not a dynamic executable')) return [];
    if (failed.code === 'ENOENT')
      throw new Error('ldd is missing: install the C library tools (Debian: libc-bin)');
    throw error;
  }
  const missing = stdout.split('\n').filter((line) => line.includes('=> not found'));
  if (missing.length > 0)
    throw new Error(`${binary} needs libraries this host lacks: ${missing.map((l) => l.trim()).join(', ')}`);
  return [...stdout.matchAll(/(\/\S+) \(0x[0-9a-f]+\)/g)].map((match) => match[1]!);
}

export interface BuildNodeTpuImageOptions extends Omit<BuildTpuImageOptions, 'addToRootfs'> {
  /** Default: the node running this process. */
  node?: string;
}

export async function buildNodeTpuImage(options: BuildNodeTpuImageOptions): Promise<BuiltNodeTpuImage> {
  const node = options.node ?? process.execPath;
  const { stdout: version } = await execFileText(node, ['--version'], { encoding: 'utf8' });
  const libraries = await sharedLibraries(node);
  const built = await buildTpuImage({
    ...options,
    tag: options.tag ?? NODE_TPU_IMAGE,
    addToRootfs: async (rootfs) => {
      options.onProgress?.(
        `adding node ${version.trim()} from ${node} and ${libraries.length} shared libraries`,
      );
      await copyExecutable(node, join(rootfs, 'bin', 'node'));
      for (const library of libraries) await copyExecutable(library, join(rootfs, library));
    },
  });
  return { ...built, node: version.trim(), libraries };
}

/** The file's content (links followed) at `to`, readable and runnable by the TPU's uid. */
async function copyExecutable(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await copyFile(from, to);
  await chmod(to, 0o755);
}
