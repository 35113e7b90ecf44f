import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitEnvironment, HARDENING_CONFIG } from '../../git/environment.js';
import { gitInvocation, runGit } from '../../git/run-git.js';
import { findNestedRepositories } from '../../git/nested-repositories.js';
import { readFileInside } from '../../git/read-inside.js';
import { chownTree } from '../../activities/tpu/worktree-owner.js';
import { gitfileContent, restoreWorktreeGitfile } from '../../git/worktree-gitfile.js';

/**
 * The pure parts of "git never trusts a tree a TPU touched" (the hostile steps themselves are in
 * test/integration/tpu-hostile-git.test.ts): what git is given, and the link-proof file helpers.
 */

const root = mkdtempSync(join(tmpdir(), 'tevis-git-trust-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => {
  const dir = join(root, `d${++dirs}`);
  mkdirSync(dir);
  return dir;
};

describe('the environment and configuration git runs with', () => {
  const workerEnv = {
    PATH: '/usr/bin:/bin',
    HOME: '/root',
    SSH_AUTH_SOCK: '/tmp/agent.sock',
    TEVIS_API_TOKEN: 'token',
    DATABASE_URL: 'postgres://u:pw@h/db',
    AWS_SECRET_ACCESS_KEY: 'aws',
    GIT_DIR: '/elsewhere/.git',
    GIT_CONFIG_PARAMETERS: "'core.hookspath'='/evil'",
    LD_PRELOAD: '/evil.so',
  };

  it('is an allow-list: nothing of the worker but where programs are, and for remotes what ssh needs', () => {
    const local = gitEnvironment({ remote: false }, workerEnv);
    expect(Object.keys(local).sort()).toEqual([
      'GIT_ALLOW_PROTOCOL',
      'GIT_ATTR_NOSYSTEM',
      'GIT_CONFIG_GLOBAL',
      'GIT_CONFIG_NOSYSTEM',
      'GIT_PAGER',
      'GIT_TERMINAL_PROMPT',
      'LC_ALL',
      'PATH',
    ]);
    expect(local).toMatchObject({
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      PATH: '/usr/bin:/bin',
    });
    const remote = gitEnvironment({ remote: true }, workerEnv);
    expect(remote).toMatchObject({ HOME: '/root', SSH_AUTH_SOCK: '/tmp/agent.sock' });
    for (const env of [local, remote]) {
      for (const name of [
        'TEVIS_API_TOKEN',
        'DATABASE_URL',
        'AWS_SECRET_ACCESS_KEY',
        'GIT_DIR',
        'GIT_CONFIG_PARAMETERS',
        'LD_PRELOAD',
      ])
        expect(env).not.toHaveProperty(name);
    }
  });

  it('names the repository and turns hooks, fsmonitor and configured commands off on every call', () => {
    const { argv, cwd } = gitInvocation(['status'], {
      repo: { gitDir: '/ws/.git/worktrees/NC-001', workTree: '/wt/NC-001' },
    });
    expect(argv.slice(-3)).toEqual([
      '--git-dir=/ws/.git/worktrees/NC-001',
      '--work-tree=/wt/NC-001',
      'status',
    ]);
    for (const setting of [
      'core.hooksPath=/dev/null',
      'core.fsmonitor=false',
      'credential.helper=',
      'core.askPass=',
    ]) {
      expect(HARDENING_CONFIG).toContain(setting);
      expect(argv[argv.indexOf(setting) - 1]).toBe('-c');
    }
    expect(cwd).toBe('/wt/NC-001');
  });

  it('hands a command git runs none of the worker environment (seen by a real git through a shell alias)', async () => {
    const dir = freshDir();
    execFileSync('git', ['init', '-q', dir]);
    process.env.TEVIS_FAKE_SECRET = 'must-not-leak-7f3a';
    try {
      const env = await runGit(['-c', 'alias.show-env=!env', 'show-env'], {
        repo: { gitDir: join(dir, '.git'), workTree: dir },
      });
      expect(env).not.toContain('must-not-leak-7f3a');
      expect(env).toContain('GIT_CONFIG_GLOBAL=/dev/null');
    } finally {
      delete process.env.TEVIS_FAKE_SECRET;
    }
  });
});

describe("a worktree's gitfile after a run", () => {
  const gitDir = '/ws/.git/worktrees/NC-001';

  it('is left alone when it is what git wrote', async () => {
    const tree = freshDir();
    writeFileSync(join(tree, '.git'), gitfileContent(gitDir));
    expect(await restoreWorktreeGitfile(tree, gitDir)).toBe('intact');
  });

  it('is written anew over a directory, a gitfile naming another repository, or a link, and what a link points at stays', async () => {
    const outside = join(freshDir(), 'victim');
    writeFileSync(outside, 'keep me');
    const plant: Array<(path: string) => void> = [
      (path) => mkdirSync(join(path, 'hooks'), { recursive: true }),
      (path) => writeFileSync(path, 'gitdir: /other/session/.git\n'),
      (path) => symlinkSync(outside, path),
    ];
    for (const planted of plant) {
      const tree = freshDir();
      planted(join(tree, '.git'));
      expect(await restoreWorktreeGitfile(tree, gitDir)).toBe('restored');
      expect(lstatSync(join(tree, '.git')).isFile()).toBe(true);
      expect(readFileSync(join(tree, '.git'), 'utf8')).toBe(`gitdir: ${gitDir}\n`);
    }
    expect(readFileSync(outside, 'utf8')).toBe('keep me');
  });
});

describe('repositories a run left inside a worktree', () => {
  it('are found as directories or gitfiles at any depth and in any case, without following links', async () => {
    const tree = freshDir();
    writeFileSync(join(tree, '.git'), 'gitdir: x\n');
    mkdirSync(join(tree, 'a/b/.git'), { recursive: true });
    writeFileSync(join(tree, 'c.txt'), '');
    mkdirSync(join(tree, 'd'));
    writeFileSync(join(tree, 'd/.git'), 'gitdir: ../x\n');
    mkdirSync(join(tree, '.GIT'));
    const elsewhere = freshDir();
    mkdirSync(join(elsewhere, '.git'));
    symlinkSync(elsewhere, join(tree, 'link'));
    expect(await findNestedRepositories(tree)).toEqual(['.GIT', 'a/b/.git', 'd/.git']);
  });
});

describe('reading a file a tree holds', () => {
  const tree = freshDir();
  const outside = freshDir();
  writeFileSync(join(outside, 'secret'), 'secret');
  mkdirSync(join(tree, '.tevis'));
  writeFileSync(join(tree, '.tevis', 'ok.json'), '{"a":1}');
  symlinkSync(join(outside, 'secret'), join(tree, '.tevis', 'file-link'));
  symlinkSync(outside, join(tree, 'dir-link'));
  execFileSync('mkfifo', [join(tree, '.tevis', 'fifo')]);
  writeFileSync(join(tree, '.tevis', 'big'), 'x'.repeat(100));

  it('reads a regular file under real directories', async () => {
    expect(await readFileInside(tree, '.tevis/ok.json', 1024)).toBe('{"a":1}');
  });

  it('reads nothing through a link (the file or a directory on the way), from a FIFO, or past the size limit', async () => {
    expect(await readFileInside(tree, '.tevis/file-link', 1024)).toBeNull();
    expect(await readFileInside(tree, 'dir-link/secret', 1024)).toBeNull();
    expect(await readFileInside(tree, '.tevis/fifo', 1024)).toBeNull();
    expect(await readFileInside(tree, '.tevis/big', 10)).toBeNull();
    expect(await readFileInside(tree, '../secret', 1024)).toBeNull();
  });
});

describe.runIf(process.getuid?.() === 0)('handing a worktree to another owner', () => {
  it('changes the tree and its links, never what a link points at', async () => {
    const tree = freshDir();
    const outside = freshDir();
    writeFileSync(join(outside, 'host-file'), 'host');
    mkdirSync(join(tree, 'sub/deeper'), { recursive: true });
    writeFileSync(join(tree, 'sub/deeper/file'), '');
    symlinkSync(join(outside, 'host-file'), join(tree, 'file-link'));
    symlinkSync(outside, join(tree, 'sub/dir-link'));
    await chownTree(tree, 4242, 4243);
    for (const path of ['', 'sub', 'sub/deeper', 'sub/deeper/file', 'file-link', 'sub/dir-link']) {
      expect(lstatSync(join(tree, path))).toMatchObject({ uid: 4242, gid: 4243 });
    }
    expect(statSync(outside)).toMatchObject({ uid: 0, gid: 0 });
    expect(statSync(join(outside, 'host-file'))).toMatchObject({ uid: 0, gid: 0 });
  });

  it('cannot be led out of the tree by a directory swapped for a link while it walks', async () => {
    const tree = freshDir();
    const outside = freshDir();
    for (let i = 0; i < 40; i++) writeFileSync(join(outside, `host-${i}`), '');
    for (let i = 0; i < 40; i++) {
      mkdirSync(join(tree, 'swap', `sub-${i}`), { recursive: true });
      writeFileSync(join(tree, 'swap', `sub-${i}`, 'file'), '');
    }
    let stop = false;
    let swaps = 0;
    // Between every step of the walk the directory may be a link to `outside`, or back.
    const swapper = (async () => {
      while (!stop) {
        renameSync(join(tree, 'swap'), join(tree, 'swap.real'));
        symlinkSync(outside, join(tree, 'swap'));
        await new Promise((resolve) => setImmediate(resolve));
        unlinkSync(join(tree, 'swap'));
        renameSync(join(tree, 'swap.real'), join(tree, 'swap'));
        swaps++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const errors: unknown[] = [];
    try {
      for (let round = 0; round < 20; round++)
        await chownTree(tree, 4242, 4242).catch((error: unknown) => errors.push(error));
    } finally {
      stop = true;
      await swapper;
    }
    expect(swaps).toBeGreaterThan(10);
    expect(statSync(outside)).toMatchObject({ uid: 0, gid: 0 });
    for (let i = 0; i < 40; i++)
      expect(statSync(join(outside, `host-${i}`))).toMatchObject({ uid: 0, gid: 0 });
    // And the walk itself never stumbled over what moved under it.
    expect(errors).toEqual([]);
  });

  it('refuses a root that is itself a link', async () => {
    const outside = freshDir();
    const link = join(root, `root-link-${++dirs}`);
    symlinkSync(outside, link);
    await expect(chownTree(link, 4242, 4242)).rejects.toThrow();
    expect(statSync(outside).uid).toBe(0);
  });
});
