import { z } from '@hono/zod-openapi';
import { MemoryEntry, MemoryPage, MemoryQuery } from '../../contracts/memory.js';
import { TevisError } from '../../contracts/errors.js';
import { MAX_INT4 } from '../../contracts/storable.js';
import type { Database } from '../../db/database.js';
import { browseMemory, findMemoryEntry } from '../../db/memory-store.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { SessionIdParam, jsonResponse } from '../schemas.js';
import type { SessionLifecycle } from '../session-lifecycle.js';

const tags = ['memory'];
const EntryParam = SessionIdParam.extend({
  entry: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_INT4)
    .openapi({ param: { name: 'entry', in: 'path' }, example: 1 }),
});

/** The project's memory as a session browses it: earlier sessions' summaries (and notes), newest first. */
export function memoryRoutes(db: Database, lifecycle: SessionLifecycle) {
  const app = openApiRouter();

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/sessions/{id}/memory',
        tags,
        summary:
          "The project's memory: earlier sessions' summaries, newest first; `kind` filters, `before` pages back",
        request: { params: SessionIdParam, query: MemoryQuery },
        responses: { 200: jsonResponse(MemoryPage, 'A page of memory') },
      },
      { answers: [403] },
    ),
    async (c) => {
      const session = await lifecycle.requireCapability(c.req.valid('param').id, 'memory:browse');
      return c.json(await browseMemory(db, session.project, c.req.valid('query')), 200);
    },
  );

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/sessions/{id}/memory/{entry}',
        tags,
        summary: "One entry of the project's memory",
        request: { params: EntryParam },
        responses: { 200: jsonResponse(MemoryEntry, 'The entry') },
      },
      { answers: [403] },
    ),
    async (c) => {
      const { id, entry } = c.req.valid('param');
      const session = await lifecycle.requireCapability(id, 'memory:browse');
      const found = await findMemoryEntry(db, session.project, entry);
      if (!found)
        throw new TevisError(
          'not-found',
          `project ${session.project} has no memory entry ${entry}; list them with \`tevis memory list --session ${id}\``,
        );
      return c.json(found, 200);
    },
  );

  return app;
}
