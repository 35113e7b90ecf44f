import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CONTEXT_DOC_EXTENSIONS } from '../contracts/context-documents.js';
import type { LoadedContext } from '../contracts/session-state.js';
import type { Database } from '../db/database.js';
import { getProject } from '../db/projects-store.js';
import { updateSession } from '../db/sessions-store.js';
import { listProjectMemory } from '../db/summaries-store.js';
import { isRealDirectory, readFileInside } from './read-inside.js';

export interface LoadContextInput {
  sessionId: string;
  project: string;
  workspacePath: string;
}

const CONTEXT_DIR = '.tevis';
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

/** Planning docs from the workspace, memory from earlier sessions, preferences from both. */
export async function loadSessionContext(db: Database, input: LoadContextInput): Promise<LoadedContext> {
  const docs: string[] = [];
  await listDocs(input.workspacePath, join(input.workspacePath, CONTEXT_DIR), docs);
  const [project, memory, repoPrefs] = await Promise.all([
    getProject(db, input.project),
    listProjectMemory(db, input.project),
    repositoryPreferences(input.workspacePath),
  ]);
  const context: LoadedContext = {
    docs,
    memoryEntries: memory.filter((m) => m.sessionId !== input.sessionId).length,
    preferences: { ...repoPrefs, ...project.settings.preferences },
  };
  await updateSession(db, input.sessionId, { context });
  return context;
}
