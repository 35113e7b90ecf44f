import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CONTEXT_DIR, CONTEXT_DOC_EXTENSIONS } from '../contracts/context-documents.js';
import { isRealDirectory, readFileInside } from './read-inside.js';

/**
 * What a repository says about its session's context: the documents under `.tevis/` and the
 * preferences in `.tevis/config.json`. Read by the worker when a session loads its context and
 * by the API when a planning session shows them; nothing here follows a link out of the tree.
 */

const MAX_DOCS = 200;
// The same kinds a planning session may edit (contracts/context-documents.ts).
const DOC_EXTENSIONS = CONTEXT_DOC_EXTENSIONS;

/** The context documents under `dir`, as paths relative to `root`: real files of the kinds above, no links, no `tmp/`. */
export async function listDocs(root: string, dir: string, found: string[]): Promise<void> {
  // `.tevis` itself may be a link the repository (or merged TPU work) planted: not followed.
  if (!(await isRealDirectory(dir))) return;
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (found.length >= MAX_DOCS) return;
    const full = join(dir, entry.name);
    // Symlinks are skipped: a repository must not make us read outside its workspace.
    if (entry.isDirectory() && entry.name !== 'tmp') await listDocs(root, full, found);
    else if (entry.isFile() && DOC_EXTENSIONS.test(entry.name)) found.push(relative(root, full));
  }
}

/** The repository's `.tevis/config.json` may carry default preferences; project settings win. */
export async function repositoryPreferences(workspace: string): Promise<Record<string, string>> {
  try {
    // A link (the file or `.tevis`) reads as no file: preferences end up in the record.
    const text = await readFileInside(workspace, `${CONTEXT_DIR}/config.json`, 256 * 1024);
    if (text === null) return {};
    const parsed = JSON.parse(text) as { preferences?: unknown };
    const prefs = parsed.preferences;
    if (!prefs || typeof prefs !== 'object') return {};
    return Object.fromEntries(
      Object.entries(prefs).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch {
    return {};
  }
}
