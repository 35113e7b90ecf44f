import type { LoadedContext } from '../../contracts/session-state.js';
import type { Database } from '../../db/database.js';
import { projects, sessions } from '../../db/schema.js';

/**
 * The least a store needs to write a session's rows: project `p` and an active session `id` of
 * it, with the loaded context given. For unit tests on an embedded database.
 */
export async function seedSession(db: Database, id: string, context?: LoadedContext): Promise<void> {
  await db
    .insert(projects)
    .values({ name: 'p', repository: '/nowhere', defaultBranch: 'main', settings: {} as never })
    .onConflictDoNothing();
  await db.insert(sessions).values({
    id,
    project: 'p',
    type: 'development',
    branch: 'main',
    status: 'active',
    config: {} as never,
    ...(context ? { context } : {}),
  });
}
