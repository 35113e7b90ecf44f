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
      description:
        'At most `limit` events (default and most 1000). `more` is true when later events were left for the next read: ask again with `after` set to the last sequence number.',
      request: { params: SessionIdParam, query: After },
      responses: {
        200: jsonResponse(z.object({ events: z.array(TimelineEvent), more: z.boolean() }), 'Events'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { after, limit = 1000 } = c.req.valid('query');
      await getSession(db, id);
      // One more than asked tells whether the page was cut, without a count over the whole timeline.
      const events = await listEvents(db, id, after ?? 0, limit + 1);
      return c.json({ events: events.slice(0, limit), more: events.length > limit }, 200);
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
