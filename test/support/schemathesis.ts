import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWithTimeout as run } from './run-with-timeout.js';

/**
 * Schemathesis, the OpenAPI fuzzer, from PyPI into the repository's cache (`.cache/`), once.
 *
 * Like runtime/pip-binary.ts: `pip install --target` into a temporary directory renamed into
 * place, so two runs never see half an install and pyenv's shims never matter; it is then run as
 * `python3 -m schemathesis.cli` with the install directory on PYTHONPATH. Pinned: a newer release
 * can add checks or change its report, and the test's counts would change under it.
 */
export const SCHEMATHESIS_VERSION = '4.32.5';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const installDir = join(repoRoot, '.cache', `schemathesis-${SCHEMATHESIS_VERSION}`);
/** The hooks module schemathesis imports (SCHEMATHESIS_HOOKS), beside this file. */
const hooksDir = fileURLToPath(new URL('.', import.meta.url));

/** Installs the pinned schemathesis unless it is there already; returns its directory. */
export async function installSchemathesis(progress: (msg: string) => void = () => {}): Promise<string> {
  if (existsSync(join(installDir, 'schemathesis', '__init__.py'))) return installDir;
  await mkdir(join(repoRoot, '.cache'), { recursive: true });
  const tempDir = `${installDir}.${process.pid}-${randomBytes(4).toString('hex')}`;
  progress(`installing schemathesis==${SCHEMATHESIS_VERSION} with pip (first run only)`);
  try {
    const pip = await run(
      'python3',
      [
        '-m',
        'pip',
        'install',
        '--target',
        tempDir,
        '--disable-pip-version-check',
        '--no-input',
        '--no-warn-script-location',
        '--only-binary=:all:',
        `schemathesis==${SCHEMATHESIS_VERSION}`,
      ],
      process.env,
      10 * 60_000,
    );
    if (pip.code !== 0)
      throw new Error(
        `pip install schemathesis==${SCHEMATHESIS_VERSION} exited with ${pip.code}:\n${pip.stderr.trim().split('\n').slice(-8).join('\n')}`,
      );
    try {
      await rename(tempDir, installDir);
    } catch (error) {
      // Another run finished first: its copy is as good as ours.
      if (!existsSync(join(installDir, 'schemathesis', '__init__.py'))) throw error;
    }
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
  return installDir;
}

export interface SchemathesisRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `schemathesis run <args>` with the hooks module that keeps fuzzed settings on this machine. It
 * runs in `workDir`, where it keeps a cache of its own (`.schemathesis/`); `configFile` is a
 * schemathesis.toml (e.g. path parameters fixed to seeded ids).
 */
export async function runSchemathesis(
  args: string[],
  options: { workDir: string; timeoutMs: number; configFile?: string },
): Promise<SchemathesisRun> {
  const { workDir, timeoutMs, configFile } = options;
  const dir = await installSchemathesis();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: [dir, hooksDir].join(':'),
    SCHEMATHESIS_HOOKS: 'schemathesis_loopback_hooks',
    PYTHONDONTWRITEBYTECODE: '1',
    NO_COLOR: '1',
  };
  await mkdir(workDir, { recursive: true });
  const global = configFile ? ['--config-file', configFile] : [];
  return run('python3', ['-m', 'schemathesis.cli', ...global, 'run', ...args], env, timeoutMs, workDir);
}
