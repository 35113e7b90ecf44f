import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MissingFile, RefusedPath, WorktreeFiles } from '../../tpu/acp/worktree-files.js';

/** A worktree beside a sibling directory holding a secret, the way /workspace sits in a TPU. */
async function layout() {
  const base = await mkdtemp(join(tmpdir(), 'tevis-acp-files-'));
  const root = join(base, 'worktree');
  const outside = join(base, 'outside');
  await mkdir(join(root, 'src'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(root, 'src', 'a.txt'), 'one\ntwo\nthree\nfour\n');
  await writeFile(join(outside, 'secret.txt'), 'secret\n');
  return { base, root, outside, files: await WorktreeFiles.at(root) };
}

describe('worktree files', () => {
  it('reads and writes inside the worktree, by absolute or relative path, creating folders', async () => {
    const { root, files } = await layout();
    expect(await files.read(join(root, 'src/a.txt'))).toBe('one\ntwo\nthree\nfour\n');
    expect(await files.read('src/a.txt', 2, 2)).toBe('two\nthree');
    await files.write(join(root, 'new/deep/b.txt'), 'bee\n');
    expect(await readFile(join(root, 'new/deep/b.txt'), 'utf8')).toBe('bee\n');
    await files.write('src/a.txt', 'replaced\n');
    expect(await readFile(join(root, 'src/a.txt'), 'utf8')).toBe('replaced\n');
  });

  it('says a missing file is missing, and follows links that stay inside', async () => {
    const { root, files } = await layout();
    await expect(files.read('nope.txt')).rejects.toBeInstanceOf(MissingFile);
    await symlink('src/a.txt', join(root, 'inner-link'));
    expect(await files.read('inner-link')).toBe('one\ntwo\nthree\nfour\n');
    await files.write('inner-link', 'through the link\n');
    expect(await readFile(join(root, 'src/a.txt'), 'utf8')).toBe('through the link\n');
  });

  it.each([
    ['a parent path', '../outside/secret.txt'],
    ['an absolute path elsewhere', '/etc/passwd'],
    ['a path that climbs out through ..', 'src/../../outside/secret.txt'],
  ])('refuses %s for reading and writing, and changes nothing outside', async (_what, path) => {
    const { base, outside, files } = await layout();
    const before = await readFile('/etc/passwd', 'utf8');
    await expect(files.read(path)).rejects.toBeInstanceOf(RefusedPath);
    await expect(files.write(path, 'escaped\n')).rejects.toBeInstanceOf(RefusedPath);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret\n');
    expect(await readFile('/etc/passwd', 'utf8')).toBe(before);
    expect((await readdir(base)).sort()).toEqual(['outside', 'worktree']);
  });

  it('refuses links that lead out: to a file, to a folder, dangling, and links inside links', async () => {
    const { root, outside, files } = await layout();
    await symlink(join(outside, 'secret.txt'), join(root, 'file-link'));
    await symlink(outside, join(root, 'dir-link'));
    await symlink(join(outside, 'created-through-link.txt'), join(root, 'dangling-link'));
    await symlink('dir-link/secret.txt', join(root, 'chained-link'));
    for (const path of [
      'file-link',
      'dir-link/secret.txt',
      'dir-link/new.txt',
      'dangling-link',
      'chained-link',
    ]) {
      await expect(files.read(join(root, path)), path).rejects.toBeInstanceOf(RefusedPath);
      await expect(files.write(join(root, path), 'escaped\n'), path).rejects.toBeInstanceOf(RefusedPath);
    }
    expect(await readdir(outside)).toEqual(['secret.txt']);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret\n');
  });

  it('refuses a FIFO instead of hanging on it', async () => {
    const { root, files } = await layout();
    execFileSync('mkfifo', [join(root, 'pipe')]);
    await expect(files.read('pipe')).rejects.toBeInstanceOf(RefusedPath);
  });
});
