import { z } from '@hono/zod-openapi';
import { MAX_INT4 } from '../../contracts/storable.js';
import { TimelineEvent } from '../../contracts/timeline.js';
import type { OpenDatabase } from '../../db/database.js';
import { getSession } from '../../db/sessions-store.js';
import { listEvents } from '../../db/timeline-store.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { resumeFrom, streamBySequence } from '../sse-by-sequence.js';
import { SessionIdParam, eventStreamResponse, streamOverResponse, jsonResponse } from '../schemas.js';
import { sessionStreamEnd } from '../stream-ends.js';

const tags = ['timeline'];
const After = z.object({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_INT4)
    .optional()
    .openapi({ description: 'Only events with a larger sequence number' }),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export function timelineRoutes(database: OpenDatabase) {
  const { db } = database;
  const app = openApiRouter();

  app.openapi(
    documentedRoute({
      method: 'get',
      path: '/sessions/{id}/events',
      tags,
      summary: 'The session timeline, oldest first',
      request: { params: SessionIdParam, query: After },
      responses: { 200: jsonResponse(z.object({ events: z.array(TimelineEvent) }), 'Events') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { after, limit } = c.req.valid('query');
      await getSession(db, id);
      return c.json({ events: await listEvents(db, id, after ?? 0, limit ?? 1000) }, 200);
    },
  );

  app.openapi(
    documentedRoute({
      method: 'get',
      path: '/sessions/{id}/events/stream',
      tags,
      summary: 'The timeline as Server-Sent Events, live; resume with Last-Event-ID (or ?after=)',
      description:
        'Each SSE `id` is the event sequence number. Reconnecting with `Last-Event-ID: N` yields every event after N exactly once.',
      request: { params: SessionIdParam, query: After },
      responses: {
        204: streamOverResponse,
        200: eventStreamResponse('TimelineEvent', 'one event per timeline entry, named by its type'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await getSession(db, id);
      return streamBySequence(c, database, {
        sessionId: id,
        after: resumeFrom(c, c.req.valid('query').after),
        read: (after, limit) => listEvents(db, id, after, limit),
        seqOf: (event) => event.seq,
        eventOf: (event) => ({ event: event.type, data: JSON.stringify(event) }),
        finished: sessionStreamEnd(db, id),
      }) as never;
    },
  );

  return app;
}
