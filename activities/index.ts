import type { Database } from '../db/database.js';
import { checkContainerEngine, checkDatabase, type ServiceCheck } from '../runtime/service-checks.js';
import { cleanTemporaryFiles } from './clean-temporary-files.js';
import { cloneWorkspace, type CloneWorkspaceInput } from './clone-workspace.js';
import { generateSessionSummary, type GenerateSummaryInput } from './generate-summary.js';
import { loadSessionContext, type LoadContextInput } from './load-context.js';
import { recordTransition, type RecordTransitionInput } from './record-transition.js';

export interface ActivityDeps {
  db: Database;
  dbKind: string;
  /** `$TEVIS_HOME`: workspaces live under it. */
  home: string;
}

/**
 * The session workflow's activities, bound to this worker's database and home. Names say what
 * each does, because they are what the Temporal Web UI shows.
 */
export function createSessionActivities(deps: ActivityDeps) {
  return {
    recordTransition: (input: RecordTransitionInput) => recordTransition(deps.db, input),
    cloneWorkspace: (input: CloneWorkspaceInput) => cloneWorkspace(deps.home, input),
    loadSessionContext: (input: LoadContextInput) => loadSessionContext(deps.db, input),
    checkServices: async (): Promise<Record<string, ServiceCheck>> => {
      const [database, containerEngine] = await Promise.all([checkDatabase(deps.db, deps.dbKind), checkContainerEngine()]);
      // Reaching this activity at all proves Temporal and a worker are up.
      return { temporal: { status: 'ok', detail: 'worker connected', latencyMs: 0 }, database, containerEngine };
    },
    generateSessionSummary: (input: GenerateSummaryInput) => generateSessionSummary(deps.db, input),
    cleanTemporaryFiles: (input: { sessionId: string; workspacePath: string | null }) => cleanTemporaryFiles(deps.home, input),
  };
}

export type SessionActivities = ReturnType<typeof createSessionActivities>;
