import { ContextPreferences, PreferencesChange } from '../../contracts/context-documents.js';
import { TevisError } from '../../contracts/errors.js';
import type { Session } from '../../contracts/session.js';
import type { Database } from '../../db/database.js';
import { changeProjectPreferences, getProject } from '../../db/projects-store.js';
import { appendEvent } from '../../db/timeline-store.js';
import { repositoryPreferences } from '../../git/context-listing.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { SessionIdParam, jsonBody, jsonResponse } from '../schemas.js';
import type { SessionLifecycle } from '../session-lifecycle.js';

const tags = ['planning'];

/**
 * The preferences the next session of a project loads, seen and changed from a planning
 * session: the project's settings over the repository's `.tevis/config.json`. They are the
 * project's record, so they are written here, not by the workflow.
 */
export function preferenceRoutes(db: Database, lifecycle: SessionLifecycle) {
  const app = openApiRouter();

  const preferencesOf = async (session: Session, database: Database = db): Promise<ContextPreferences> => {
    const project = await getProject(database, session.project);
    const repository = session.workspacePath ? await repositoryPreferences(session.workspacePath) : {};
    return {
      project: project.name,
      effective: { ...repository, ...project.settings.preferences },
      projectSettings: project.settings.preferences,
      repository,
    };
  };

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/sessions/{id}/context/preferences',
        tags,
        summary:
          "The preferences the project's next session loads: the project's settings over the repository's .tevis/config.json",
        request: { params: SessionIdParam },
        responses: { 200: jsonResponse(ContextPreferences, 'Preferences') },
      },
      { answers: [403] },
    ),
    async (c) => {
      const session = await lifecycle.requireCapability(c.req.valid('param').id, 'context:edit');
      return c.json(await preferencesOf(session), 200);
    },
  );

  app.openapi(
    documentedRoute(
      {
        method: 'patch',
        path: '/sessions/{id}/context/preferences',
        tags,
        summary:
          "Set and remove the project's preferences from a planning session (on the timeline as preferences.changed)",
        request: { params: SessionIdParam, body: jsonBody(PreferencesChange) },
        responses: { 200: jsonResponse(ContextPreferences, 'The preferences after the change') },
      },
      { answers: [403, 409] },
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const session = await lifecycle.requireCapability(id, 'context:edit');
      await lifecycle.requireOpen(id);
      const change = c.req.valid('json');
      const set = change.set ?? {};
      const unset = change.unset ?? [];
      const both = unset.filter((key) => key in set);
      if (both.length > 0)
        throw new TevisError(
          'validation',
          `preference ${both.join(', ')} is both set and unset; name each key once`,
        );
      if (Object.keys(set).length === 0 && unset.length === 0)
        throw new TevisError(
          'validation',
          'name a preference to set (set: {key: value}) or to remove (unset: [key])',
        );
      // The project row is locked while its preferences change, with the event in the same transaction.
      await db.transaction(async (tx) => {
        await changeProjectPreferences(tx, session.project, (stored) => {
          const preferences = { ...stored, ...set };
          for (const key of unset) delete preferences[key];
          if (Object.keys(preferences).length > 100)
            throw new TevisError('validation', 'a project holds at most 100 preferences; remove some first');
          return preferences;
        });
        await appendEvent(tx, {
          sessionId: id,
          type: 'preferences.changed',
          data: { project: session.project, set: Object.keys(set), unset },
        });
      });
      await lifecycle.touch(session);
      return c.json(await preferencesOf(session), 200);
    },
  );

  return app;
}
