import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedLibraries } from '../../runtime/tpu-node-image.js';

/** What runtime/tpu-node-image.ts copies beside node: ldd's answer, read as paths. */
describe('the shared libraries of a binary', () => {
  it('are the paths ldd resolves for node, the C library and the dynamic loader among them', async () => {
    const libraries = await sharedLibraries(process.execPath);
    expect(libraries).toEqual(expect.arrayContaining([expect.stringMatching(/\/libc\.so\.\d+$/)]));
    expect(libraries).toEqual(expect.arrayContaining([expect.stringMatching(/\/ld-linux[^/]*\.so\.\d+$/)]));
    expect(libraries.every((path) => path.startsWith('/'))).toBe(true);
    // The vDSO is the kernel's, with no file to copy.
    expect(libraries.some((path) => path.includes('vdso'))).toBe(false);
  });

  it('are none for a file that is not dynamically linked, and a missing file is an error', async () => {
    const script = join(await mkdtemp(join(tmpdir(), 'tevis-ldd-')), 'script.sh');
    await writeFile(script, '#!/bin/sh\necho hello\n', { mode: 0o755 });
    expect(await sharedLibraries(script)).toEqual([]);
    await expect(sharedLibraries(join(script, '..', 'missing'))).rejects.toThrow();
  });
});
