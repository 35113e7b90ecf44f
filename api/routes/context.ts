import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { listDocs, repositoryPreferences } from '../../git/context-listing.js';
import { readContextDocument } from '../../git/context-documents.js';
import {
  CONTEXT_DIR,
  ContextDocument,
  ContextDocumentList,
  ContextDocumentWrite,
  ContextEdited,
  type ContextEdit,
  ContextPathQuery,
  ContextPreferences,
  PreferencesChange,
  contextPathProblem,
} from '../../contracts/context-documents.js';
import { TevisError } from '../../contracts/errors.js';
import type { Session } from '../../contracts/session.js';
import type { Database } from '../../db/database.js';
import { getProject, saveProject } from '../../db/projects-store.js';
import { projects } from '../../db/schema.js';
import { appendEvent } from '../../db/timeline-store.js';
import { editContextUpdate } from '../../workflows/context-messages.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { SessionIdParam, jsonBody, jsonResponse } from '../schemas.js';
import type { SessionLifecycle } from '../session-lifecycle.js';

const tags = ['planning'];

function workspaceOf(session: Session): string {
  if (!session.workspacePath)
    throw new TevisError(
      'file-not-found',
      `session ${session.id} has no workspace yet; wait until it is active`,
    );
  return session.workspacePath;
}

function checkedPath(path: string): string {
  const problem = contextPathProblem(path);
  if (problem) throw new TevisError(problem.type, problem.message);
  return path;
}

/**
 * Context editing in a planning session: the `.tevis/` documents and the preferences the next
 * session of the project loads. Documents are read here and written by the session's workflow
 * (an Update: the worker writes and commits them on the session's branch); preferences are the
 * project's settings.
 */
export function contextRoutes(db: Database, lifecycle: SessionLifecycle) {
  const app = openApiRouter();

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/sessions/{id}/context/documents',
        tags,
        summary:
          'The context documents in the workspace (`.tevis/`: md, txt, json, yaml, toml), as the next session loads them',
        request: { params: SessionIdParam },
        responses: { 200: jsonResponse(ContextDocumentList, 'Documents, paths relative to .tevis/') },
      },
      { answers: [403] },
    ),
    async (c) => {
      const session = await lifecycle.requireCapability(c.req.valid('param').id, 'context:edit');
      const root = workspaceOf(session);
      const found: string[] = [];
      await listDocs(root, join(root, CONTEXT_DIR), found);
      const documents = await Promise.all(
        found.map(async (path) => ({
          path: path.slice(CONTEXT_DIR.length + 1),
          bytes: (await lstat(join(root, path)).catch(() => ({ size: 0 }))).size,
        })),
      );
      await lifecycle.touch(session);
      return c.json({ sessionId: session.id, documents }, 200);
    },
  );

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/sessions/{id}/context/document',
        tags,
        summary: 'Read one context document (`path` relative to .tevis/)',
        request: { params: SessionIdParam, query: ContextPathQuery },
        responses: { 200: jsonResponse(ContextDocument, 'The document') },
      },
      { answers: [403, 413] },
    ),
    async (c) => {
      const session = await lifecycle.requireCapability(c.req.valid('param').id, 'context:edit');
      const document = await readContextDocument(
        workspaceOf(session),
        checkedPath(c.req.valid('query').path),
      );
      await lifecycle.touch(session);
      return c.json(document, 200);
    },
  );

  app.openapi(
    documentedRoute(
      {
        method: 'put',
        path: '/sessions/{id}/context/document',
        tags,
        summary:
          "Write one context document and commit it on the session's branch (one commit, naming the document)",
        request: { params: SessionIdParam, query: ContextPathQuery, body: jsonBody(ContextDocumentWrite) },
        responses: {
          200: jsonResponse(ContextEdited, 'Written (and committed, unless the content was there already)'),
        },
      },
      { answers: [403, 409] },
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const session = await lifecycle.requireCapability(id, 'context:edit');
      await lifecycle.requireOpen(id);
      const path = checkedPath(c.req.valid('query').path);
      workspaceOf(session);
      return c.json(
        await lifecycle.update(id, editContextUpdate, [
          { path, content: c.req.valid('json').content } as ContextEdit,
        ]),
        200,
      );
    },
  );

  app.openapi(
    documentedRoute(
      {
        method: 'delete',
        path: '/sessions/{id}/context/document',
        tags,
        summary: "Delete one context document and commit the removal on the session's branch",
        request: { params: SessionIdParam, query: ContextPathQuery },
        responses: { 200: jsonResponse(ContextEdited, 'Deleted and committed') },
      },
      { answers: [403, 409] },
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const session = await lifecycle.requireCapability(id, 'context:edit');
      await lifecycle.requireOpen(id);
      const path = checkedPath(c.req.valid('query').path);
      // A missing document (or a link where it would be) is answered here, before the workflow is asked.
      await readContextDocument(workspaceOf(session), path);
      return c.json(
        await lifecycle.update(id, editContextUpdate, [{ path, content: null } as ContextEdit]),
        200,
      );
    },
  );

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
      await lifecycle.touch(session);
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
        const [locked] = await tx
          .select()
          .from(projects)
          .where(eq(projects.name, session.project))
          .for('update');
        if (!locked) throw new TevisError('project-not-found', `no project named "${session.project}"`);
        const preferences = { ...locked.settings.preferences, ...set };
        for (const key of unset) delete preferences[key];
        if (Object.keys(preferences).length > 100)
          throw new TevisError('validation', 'a project holds at most 100 preferences; remove some first');
        await saveProject(tx, session.project, {
          repository: locked.repository,
          defaultBranch: locked.defaultBranch,
          settings: { ...locked.settings, preferences },
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
