import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveInsideWorkspace } from '../../api/workspace-path.js';
import { TevisError } from '../../contracts/errors.js';

const base = mkdtempSync(join(tmpdir(), 'tevis-ws-'));
const workspace = join(base, 'ws');
const outside = join(base, 'outside');
mkdirSync(join(workspace, 'src'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(workspace, 'src', 'a.ts'), 'a');
writeFileSync(join(outside, 'secret'), 's');
symlinkSync(outside, join(workspace, 'escape'));
symlinkSync(join(workspace, 'src'), join(workspace, 'inner-link'));
symlinkSync(join(outside, 'not-yet'), join(workspace, 'dangling'));

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof TevisError ? e.type : String(e)),
  );

describe('resolveInsideWorkspace', () => {
  it('resolves files and not-yet-existing paths inside', async () => {
    expect(await resolveInsideWorkspace(workspace, 'src/a.ts')).toBe(join(workspace, 'src', 'a.ts'));
    expect(await resolveInsideWorkspace(workspace, 'src/new/b.ts')).toBe(
      join(workspace, 'src', 'new', 'b.ts'),
    );
    expect(await resolveInsideWorkspace(workspace, '')).toBe(workspace);
    expect(await resolveInsideWorkspace(workspace, 'inner-link/a.ts')).toBe(join(workspace, 'src', 'a.ts'));
  });

  it.each([
    '../outside/secret',
    'src/../../outside',
    '/etc/passwd',
    'escape/secret',
    'escape/new-file',
    'dangling',
    'dangling/child',
    'a\0b',
  ])('refuses %j', async (path) => {
    expect(await refusal(resolveInsideWorkspace(workspace, path))).toBe('path-outside-workspace');
  });
});
