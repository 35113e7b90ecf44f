import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { listDocs } from '../../git/context-listing.js';
import { readContextDocument } from '../../git/context-documents.js';
import {
  CONTEXT_DIR,
  ContextDocument,
  ContextDocumentList,
  ContextDocumentWrite,
  ContextEdited,
  ContextPathQuery,
  contextPathProblem,
} from '../../contracts/context-documents.js';
import { TevisError } from '../../contracts/errors.js';
import type { Session } from '../../contracts/session.js';
import type { ContextCommands } from '../context-commands.js';
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
 * Context editing in a planning session: the `.tevis/` documents the next session of the project
 * loads. Documents are read here and written by the session's workflow (an Update: the worker
 * writes and commits them on the session's branch); the preferences are in preferences.ts.
 */
export function contextRoutes(lifecycle: SessionLifecycle, context: ContextCommands) {
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
      return c.json(await context.write(id, path, c.req.valid('json').content), 200);
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
      return c.json(await context.delete(id, path), 200);
    },
  );

  return app;
}
