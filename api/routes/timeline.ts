import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { TimelineEvent } from '../../contracts/timeline.js';
import type { OpenDatabase } from '../../db/database.js';
import { getSession } from '../../db/sessions-store.js';
import { listEvents } from '../../db/timeline-store.js';
import { openApiRouter } from '../openapi-app.js';
import { SessionIdParam, jsonResponse, problemResponses } from '../schemas.js';

const tags = ['timeline'];
const After = z.object({
  after: z.coerce.number().int().min(0).optional().openapi({ description: 'Only events with a larger sequence number' }),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
/** A quiet stream still gets a comment now and then, so proxies keep it open. */
const KEEPALIVE_MS = 15_000;
/** Belt and braces under LISTEN/NOTIFY: a lost notification delays an event by at most this. */
const SAFETY_POLL_MS = 5_000;

export function timelineRoutes(database: OpenDatabase) {
  const { db } = database;
  const app = openApiRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sessions/{id}/events',
      tags,
      summary: 'The session timeline, oldest first',
      request: { params: SessionIdParam, query: After },
      responses: { 200: jsonResponse(z.object({ events: z.array(TimelineEvent) }), 'Events'), ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { after, limit } = c.req.valid('query');
      await getSession(db, id);
      return c.json({ events: await listEvents(db, id, after ?? 0, limit ?? 1000) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sessions/{id}/events/stream',
      tags,
      summary: 'The timeline as Server-Sent Events, live; resume with Last-Event-ID (or ?after=)',
      description: 'Each SSE `id` is the event sequence number. Reconnecting with `Last-Event-ID: N` yields every event after N exactly once.',
      request: { params: SessionIdParam, query: After },
      responses: { 200: { description: 'text/event-stream of TimelineEvent', content: { 'text/event-stream': { schema: TimelineEvent } } }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await getSession(db, id);
      const lastEventId = Number(c.req.header('last-event-id'));
      let cursor = Number.isInteger(lastEventId) && lastEventId >= 0 ? lastEventId : (c.req.valid('query').after ?? 0);

      return streamSSE(c, async (stream) => {
        let wake: (() => void) | null = null;
        let pending = true;
        const signal = () => {
          pending = true;
          wake?.();
        };
        // Subscribe before the first read: an event written in between is then never missed.
        const unsubscribe = database.onEvent((sessionId) => {
          if (sessionId === id || sessionId === '') signal();
        });
        const poll = setInterval(signal, SAFETY_POLL_MS);
        const keepalive = setInterval(() => void stream.write(': keepalive\n\n'), KEEPALIVE_MS);
        stream.onAbort(() => signal());
        try {
          while (!stream.aborted) {
            if (!pending) await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
            pending = false;
            // Always read from the table by sequence: order holds, and nothing is sent twice.
            for (;;) {
              const batch = await listEvents(db, id, cursor, 500);
              for (const event of batch) {
                await stream.writeSSE({ id: String(event.seq), event: event.type, data: JSON.stringify(event) });
                cursor = event.seq;
              }
              if (batch.length < 500 || stream.aborted) break;
            }
          }
        } finally {
          unsubscribe();
          clearInterval(poll);
          clearInterval(keepalive);
        }
      });
    },
  );

  return app;
}
