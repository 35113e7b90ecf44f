import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acpPromptContext } from '../../activities/tpu/acp-prompt-context.js';
import { openDatabase, type OpenDatabase } from '../../db/database.js';
import { projectMemory } from '../../db/schema.js';
import { seedSession } from '../support/pglite-session.js';
import { PromptContext, promptText } from '../../tpu/acp/prompt-text.js';

/**
 * The context an ACP agent's prompt carries: the session's loaded planning documents read from
 * the nanocycle's worktree (never through a link), its preferences, the project's memory of
 * earlier sessions; documents past the bound are named, not included.
 */
describe('an ACP prompt’s context', () => {
  let database: OpenDatabase;
  let worktree: string;

  beforeAll(async () => {
    database = await openDatabase({});
    worktree = await mkdtemp(join(tmpdir(), 'tevis-acp-context-'));
    await mkdir(join(worktree, '.tevis'));
    await writeFile(join(worktree, '.tevis/plan.md'), '# Plan\n\nKeep it short.\n');
    for (const name of ['a', 'b', 'c', 'd'])
      await writeFile(join(worktree, `.tevis/${name}.md`), 'x'.repeat(30_000));
    await symlink('/etc/hostname', join(worktree, '.tevis/linked.md'));
    await seedSession(database.db, 'S2', {
      docs: [
        '.tevis/plan.md',
        '.tevis/linked.md',
        '.tevis/a.md',
        '.tevis/b.md',
        '.tevis/c.md',
        '.tevis/d.md',
      ],
      memoryEntries: 1,
      preferences: { style: 'terse' },
    });
    await database.db.insert(projectMemory).values([
      { project: 'p', sessionId: 'S1', kind: 'summary', content: 'Session 1 added tests.' },
      { project: 'p', sessionId: 'S2', kind: 'summary', content: 'this very session' },
    ]);
  }, 60_000);

  afterAll(async () => {
    await database?.close();
    if (worktree) await rm(worktree, { recursive: true, force: true });
  });

  it('brings the documents, preferences and earlier memory, bounded, and never through a link', async () => {
    const text = await acpPromptContext(database.db, { sessionId: 'S2', worktreePath: worktree });
    expect(text.length).toBeLessThanOrEqual(96 * 1024);
    const context = PromptContext.parse(JSON.parse(text));
    expect(context.documents.map((d) => d.path)).toEqual([
      '.tevis/plan.md',
      '.tevis/a.md',
      '.tevis/b.md',
      '.tevis/c.md',
    ]);
    expect(context.leftOut).toEqual(['.tevis/d.md']);
    expect(context.preferences).toEqual({ style: 'terse' });
    expect(context.memory).toEqual(['Session 1 added tests.']);
    const prompt = promptText('Write the notes', context);
    expect(prompt).toContain('# Planning document: .tevis/plan.md\n\n# Plan\n\nKeep it short.');
    expect(prompt).toContain(
      '# Planning documents not included (too large; read them in the worktree)\n\n- .tevis/d.md',
    );
    expect(prompt).toContain('- style: terse');
    expect(prompt).not.toContain('this very session');
  });
});
