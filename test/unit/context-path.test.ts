import { describe, expect, it } from 'vitest';
import { contextPathProblem } from '../../contracts/context-documents.js';
import { describeEvent } from '../../cli/render/timeline-event.js';

describe('context document paths', () => {
  it.each([
    'plan.md',
    'notes/auth.md',
    'a b/c.yaml',
    'config.json',
    'x.toml',
    'deep/er/notes.markdown',
    'Ä.txt',
  ])('%s names a document', (path) => {
    expect(contextPathProblem(path)).toBeNull();
  });

  it.each([
    ['../x.md', 'path-outside-workspace'],
    ['a/../../x.md', 'path-outside-workspace'],
    ['/etc/passwd.md', 'path-outside-workspace'],
    ['a\\..\\x.md', 'path-outside-workspace'],
    ['x\0.md', 'path-outside-workspace'],
    ['.tevis/plan.md', 'validation'],
    ['', 'validation'],
    ['a//b.md', 'validation'],
    ['.hidden.md', 'validation'],
    ['a/./b.md', 'validation'],
    ['run.sh', 'validation'],
    ['tmp/scratch.md', 'validation'],
    ['a/tmp/scratch.md', 'validation'],
    ['line\nbreak.md', 'validation'],
    [`${'a/'.repeat(8)}x.md`, 'validation'],
    // 200 characters, but 400 bytes: more than a file name holds.
    [`${'é'.repeat(197)}.md`, 'validation'],
  ])('%j is refused as %s', (path, type) => {
    const problem = contextPathProblem(path);
    expect(problem?.type).toBe(type);
    expect(problem?.message.length).toBeGreaterThan(20);
  });
});

describe('planning events in the CLI timeline', () => {
  it('say the version, the document and the preferences', () => {
    expect(describeEvent({ type: 'plan.drafted', data: { version: 3, length: 120 } } as never)).toBe(
      'plan version 3 drafted (120 characters)',
    );
    expect(
      describeEvent({
        type: 'context.edited',
        data: { path: 'notes.md', action: 'written', commit: 'abcdef0123456789' },
      } as never),
    ).toBe('context document .tevis/notes.md written, commit abcdef0123');
    expect(
      describeEvent({ type: 'preferences.changed', data: { set: ['a', 'b'], unset: ['c'] } } as never),
    ).toBe('preferences changed: set a, b; removed c');
    expect(describeEvent({ type: 'preferences.changed', data: { set: [], unset: ['c'] } } as never)).toBe(
      'preferences changed: removed c',
    );
  });
});
