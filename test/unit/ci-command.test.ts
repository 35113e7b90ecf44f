import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(root + path, 'utf8');

/** The README's test command is what CI runs, and it checks format, lint and types before the tests. */
describe('the test command', () => {
  const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;

  it('is what CI runs, after a clean install', () => {
    expect(read('.ci/run')).toMatch(/^npm ci && npm test$/m);
    expect(read('README.md')).toContain('npm ci && npm test');
  });

  it('fails on unformatted code or a lint finding, then on a type error, before any test runs', () => {
    const steps = scripts.test!.split('&&').map((s) => s.trim());
    expect(steps).toEqual(['biome ci .', 'npm run typecheck', 'vitest run']);
    expect(scripts.typecheck).toBe('tsc --noEmit && tsc -p web');
  });
});
