import { join } from 'node:path';
import { CONTEXT_DIR } from '../contracts/context-documents.js';
import type { LoadedContext } from '../contracts/session-state.js';
import type { Database } from '../db/database.js';
import { getProject } from '../db/projects-store.js';
import { updateSession } from '../db/sessions-store.js';
import { listProjectMemory } from '../db/summaries-store.js';
import { listDocs, repositoryPreferences } from '../git/context-listing.js';

export interface LoadContextInput {
  sessionId: string;
  project: string;
  workspacePath: string;
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
