import { z } from '@hono/zod-openapi';
import { Session, SessionCreate, SessionListQuery, SessionPage } from '../../contracts/session.js';
import { formatSessionCursor, parseSessionCursor } from '../../contracts/session-cursor.js';
import { SessionWithState } from '../../contracts/responses.js';
import { SessionSummary } from '../../contracts/summary.js';
import { TevisError } from '../../contracts/errors.js';
import { isOpenStatus } from '../../contracts/session-types.js';
import type { Database } from '../../db/database.js';
import { getSession, listSessions } from '../../db/sessions-store.js';
import { findSummary } from '../../db/summaries-store.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { SessionIdParam, jsonBody, jsonResponse } from '../schemas.js';
import type { SessionLifecycle } from '../session-lifecycle.js';
import type { SessionView } from '../session-view.js';

const tags = ['sessions'];

/** Sessions created, listed, shown and summed up; what changes their status is session-commands.ts. */
export function sessionRoutes(db: Database, lifecycle: SessionLifecycle, view: SessionView) {
  const app = openApiRouter();

  app.openapi(
    documentedRoute(
      {
        method: 'post',
        path: '/sessions',
        tags,
        summary: 'Create a session: clone a fresh workspace, load context, check services',
        description:
          'Returns at once with status `starting`; follow the timeline (or poll) until `active`. At most one active session per project (any number paused): another while one is starting or active is a 409 `session-conflict` naming it.',
        request: { body: jsonBody(SessionCreate) },
        responses: { 201: jsonResponse(Session, 'Created, starting') },
      },
      { answers: [404, 409] },
    ),
    async (c) => c.json(await lifecycle.create(c.req.valid('json')), 201),
  );

  app.openapi(
    documentedRoute({
      method: 'get',
      path: '/sessions',
      tags,
      summary: 'List sessions (open ones unless all=true), newest first, a page at a time',
      description:
        'At most `limit` sessions a page (default 100, at most 500). `nextCursor` is null on the last page; otherwise pass it as `cursor` for the next one. A cursor Tevis did not give out is a 400 `validation`.',
      request: { query: SessionListQuery },
      responses: { 200: jsonResponse(SessionPage, 'One page of sessions') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await listSessions(db, {
        project: q.project,
        status: q.status,
        type: q.type,
        includeClosed: q.all === 'true',
        limit: q.limit,
        after: q.cursor === undefined ? undefined : (parseSessionCursor(q.cursor) ?? undefined),
      });
      const nextCursor = page.next ? formatSessionCursor(page.next) : null;
      return c.json({ sessions: page.sessions, nextCursor }, 200);
    },
  );

  app.openapi(
    documentedRoute({
      method: 'get',
      path: '/sessions/{id}',
      tags,
      summary: 'A session with its live state: active context, workspace, execution',
      request: { params: SessionIdParam },
      responses: { 200: jsonResponse(SessionWithState, 'The session') },
    }),
    // A read from the record: it does not count as activity (README, Inactivity).
    async (c) => c.json(await view.read(c.req.valid('param').id), 200),
  );

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/sessions/{id}/summary',
        tags,
        summary:
          'The summary of an ended session (JSON; Markdown in `markdown`, or with Accept: text/markdown)',
        request: { params: SessionIdParam },
        responses: {
          200: {
            description: 'The summary: JSON, or its Markdown when the request accepts text/markdown',
            content: {
              'application/json': { schema: SessionSummary },
              'text/markdown': { schema: z.string() },
            },
          },
        },
      },
      { answers: [409] },
    ),
    async (c) => {
      const session = await getSession(db, c.req.valid('param').id);
      const summary = await findSummary(db, session.id);
      if (!summary) {
        throw new TevisError(
          'summary-not-ready',
          isOpenStatus(session.status)
            ? `session ${session.id} is ${session.status}; its summary is written when it ends (\`tevis session end ${session.id}\`)`
            : `session ${session.id} ${session.status} without a summary`,
        );
      }
      if (c.req.header('accept')?.includes('text/markdown'))
        return c.text(summary.markdown, 200, { 'content-type': 'text/markdown; charset=utf-8' }) as never;
      return c.json(summary, 200);
    },
  );

  return app;
}
