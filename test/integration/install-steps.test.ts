import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEVIS_VERSION } from '../../runtime/version.js';
import { type CliRun, describeRun } from '../support/cli-run.js';
import { cleanEnv, ProcessSet } from '../support/processes.js';
import { REPO_ROOT } from '../support/repo-paths.js';

/**
 * Issue 10 point 10: after the README's install steps, `tevis` (and `tevis-local`) are on the
 * PATH. The steps are run as written, in a copy of this checkout, with npm's global prefix in a
 * temporary directory (so nothing outside it changes) and offline (npm's cache only: no traffic
 * leaves the host); then both commands are called bare, from another directory, by PATH alone.
 */

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

/** The install line of "The two commands": the README's first sh block. */
function installLine(): string {
  const block = /## The two commands[\s\S]*?```sh\n([^\n]+)\n```/.exec(README)?.[1];
  if (!block) throw new Error('README has no install line under "The two commands"');
  return block.trim();
}

describe('the README install puts `tevis` on the PATH', () => {
  const processes = new ProcessSet();
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tevis-install-'));
  });

  afterAll(async () => {
    await processes.killAll();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function sh(name: string, script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
    const proc = processes.spawn(name, '/bin/sh', ['-c', script], { env, cwd });
    let stdout = '';
    let stderr = '';
    proc.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    proc.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exit = await proc.exited;
    await proc.closed;
    return { args: [script], code: exit.code, signal: exit.signal, stdout, stderr, json: undefined };
  }

  it('`npm ci && npm link`, then `tevis --version` and `tevis-local --version` from anywhere', async () => {
    const line = installLine();
    // The install, then a start: everything before `tevis up` is what installs.
    expect(line).toMatch(/^npm ci && npm link && tevis up$/);
    const steps = line.replace(/ && tevis up$/, '');

    // A copy of the checkout as a clone would have it: the files git knows, no node_modules.
    const checkout = join(root, 'tevis');
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    })
      .split('\0')
      .filter(Boolean);
    for (const file of files) {
      if (file.startsWith('node_modules')) continue;
      mkdirSync(dirname(join(checkout, file)), { recursive: true });
      cpSync(join(REPO_ROOT, file), join(checkout, file), {
        dereference: false,
        errorOnExist: false,
        force: true,
        recursive: true,
      });
    }

    const prefix = join(root, 'npm-prefix');
    const bin = join(prefix, 'bin');
    const env = cleanEnv({
      // Where `npm link` puts the bins (the global prefix), here a temporary one.
      npm_config_prefix: prefix,
      npm_config_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      PATH: `${bin}:${process.env.PATH}`,
    });
    const install = await sh('install', steps, checkout, env);
    expect(install.code, describeRun(install)).toBe(0);
    expect(realpathSync(join(bin, 'tevis'))).toBe(join(realpathSync(checkout), 'bin', 'tevis.js'));

    const elsewhere = join(root, 'somewhere-else');
    mkdirSync(elsewhere);
    const version = await sh(
      'tevis --version',
      'command -v tevis && tevis --version && tevis-local --version',
      elsewhere,
      env,
    );
    expect(version.code, describeRun(version)).toBe(0);
    expect(version.stdout.split('\n').filter(Boolean)).toEqual([
      join(bin, 'tevis'),
      TEVIS_VERSION,
      TEVIS_VERSION,
    ]);
  }, 600_000);
});
