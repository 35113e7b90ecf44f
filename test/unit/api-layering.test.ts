import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering the README's folder table states, read from the import lines: routes reach a
 * workflow only through the command classes in api/, the API takes git from git/ (never from
 * activities/), and git/ stands on its own so both sides can use it.
 */

const root = join(import.meta.dirname, '..', '..');

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name));
}

/** Every module a file imports, as a path from the repository's root (packages as they are named). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)[^'";]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
  return specifiers.map((s) => (s.startsWith('.') ? relative(root, join(root, file, '..', s)) : s));
}

function offending(folder: string, forbidden: (imported: string) => boolean): string[] {
  return sourceFiles(folder).flatMap((file) =>
    importsOf(file)
      .filter(forbidden)
      .map((imported) => `${file} imports ${imported}`),
  );
}

describe('layering', () => {
  it('finds the imports it checks', () => {
    // The command classes beside the routes do import the workflow's messages.
    expect(offending('api', (imported) => imported.startsWith('workflows/'))).not.toEqual([]);
    expect(importsOf('api/routes/review.ts')).toContain('git/review-diff.js');
  });

  it('routes import no workflow message: their commands are named methods in api/', () => {
    expect(offending('api/routes', (imported) => imported.startsWith('workflows/'))).toEqual([]);
  });

  it('routes never send an Update themselves', () => {
    const sending = sourceFiles('api/routes').filter((file) =>
      /\b(lifecycle|workflows)\.update\(|\.(executeUpdate|getHandle)\(/.test(
        readFileSync(join(root, file), 'utf8'),
      ),
    );
    expect(sending).toEqual([]);
  });

  it('the API takes nothing from activities/', () => {
    expect(offending('api', (imported) => imported.startsWith('activities/'))).toEqual([]);
  });

  it('git/ depends on neither the API, the worker nor the record', () => {
    const owners = ['api/', 'activities/', 'workflows/', 'worker/', 'db/'];
    expect(offending('git', (imported) => owners.some((owner) => imported.startsWith(owner)))).toEqual([]);
  });
});
