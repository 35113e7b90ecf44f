import { mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readInsideWorkspace,
  resolveInsideWorkspace,
  writeInsideWorkspace,
} from '../../api/workspace-path.js';
import { TevisError } from '../../contracts/errors.js';

/**
 * The files API reads and writes through no link, even when a directory on the way becomes a
 * link after the path was resolved (a merge can bring links into a workspace at any time).
 */

const base = mkdtempSync(join(tmpdir(), 'tevis-ws-io-'));
const workspace = join(base, 'ws');
const outside = join(base, 'outside');
mkdirSync(join(workspace, 'docs'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(workspace, 'docs', 'note.md'), 'inside');
writeFileSync(join(outside, 'note.md'), 'host file');

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof TevisError ? e.type : String(e)),
  );

describe('reading and writing a workspace file', () => {
  it('works on a file inside', async () => {
    const target = await resolveInsideWorkspace(workspace, 'docs/note.md');
    expect(Buffer.from(await readInsideWorkspace(workspace, target)).toString()).toBe('inside');
    await writeInsideWorkspace(workspace, target, Buffer.from('rewritten'));
    expect(readFileSync(target, 'utf8')).toBe('rewritten');
  });

  it('refuses once a directory on the way has become a link out, and leaves the file outside as it was', async () => {
    const target = await resolveInsideWorkspace(workspace, 'docs/note.md');
    renameSync(join(workspace, 'docs'), join(workspace, 'docs-before'));
    symlinkSync(outside, join(workspace, 'docs'));
    expect(await refusal(readInsideWorkspace(workspace, target))).toBe('path-outside-workspace');
    expect(await refusal(writeInsideWorkspace(workspace, target, Buffer.from('overwritten')))).toBe(
      'path-outside-workspace',
    );
    expect(readFileSync(join(outside, 'note.md'), 'utf8')).toBe('host file');
  });

  it('refuses a file that is itself a link', async () => {
    symlinkSync(join(outside, 'note.md'), join(workspace, 'linked.md'));
    expect(await refusal(readInsideWorkspace(workspace, join(workspace, 'linked.md')))).toBe(
      'path-outside-workspace',
    );
    expect(
      await refusal(writeInsideWorkspace(workspace, join(workspace, 'linked.md'), Buffer.from('x'))),
    ).toBe('path-outside-workspace');
    expect(readFileSync(join(outside, 'note.md'), 'utf8')).toBe('host file');
  });
});
