import { z } from '@hono/zod-openapi';
import { LogLine } from '../../contracts/nanocycle-records.js';
import type { OpenDatabase } from '../../db/database.js';
import { listLogLines, toLogLine } from '../../db/nanocycle-logs-store.js';
import { getNanocycle } from '../../db/nanocycles-store.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { eventStreamResponse, jsonResponse, streamOverResponse } from '../schemas.js';
import { resumeFrom, streamBySequence } from '../sse-by-sequence.js';
import { nanocycleStreamEnd } from '../stream-ends.js';
import { After, NcParams } from './nanocycle-params.js';

const tags = ['nanocycles'];

/** A nanocycle's output lines: read in pages by sequence number, or followed live as SSE. */
export function nanocycleLogRoutes(database: OpenDatabase) {
  const { db } = database;
  const app = openApiRouter();

  app.openapi(
    documentedRoute({
      method: 'get',
      path: '/sessions/{id}/nanocycles/{nc}/logs',
      tags,
      summary: "The nanocycle's output lines, in order",
      request: { params: NcParams, query: After },
      description:
        'At most `limit` lines (default and most 1000). `more` is true when later lines were left for the next read: ask again with `after` set to the last `seq`.',
      responses: { 200: jsonResponse(z.object({ lines: z.array(LogLine), more: z.boolean() }), 'Lines') },
    }),
    async (c) => {
      const { id, nc } = c.req.valid('param');
      await getNanocycle(db, id, nc);
      const { after, limit = 1000 } = c.req.valid('query');
      // One more than asked tells whether the page was cut.
      const lines = await listLogLines(db, {
        sessionId: id,
        nanocycleId: nc,
        afterSeq: after ?? 0,
        limit: limit + 1,
      });
      return c.json({ lines: lines.slice(0, limit).map(toLogLine), more: lines.length > limit }, 200);
    },
  );

  app.openapi(
    documentedRoute({
      method: 'get',
      path: '/sessions/{id}/nanocycles/{nc}/logs/stream',
      tags,
      summary: "The nanocycle's output live as SSE; resume with Last-Event-ID",
      request: { params: NcParams, query: After },
      responses: {
        204: streamOverResponse,
        200: eventStreamResponse('LogLine', 'stdout, stderr and tevis events'),
      },
    }),
    async (c) => {
      const { id, nc } = c.req.valid('param');
      await getNanocycle(db, id, nc);
      return streamBySequence(c, database, {
        sessionId: id,
        after: resumeFrom(c, c.req.valid('query').after),
        read: (after, limit) => listLogLines(db, { sessionId: id, nanocycleId: nc, afterSeq: after, limit }),
        seqOf: (line) => line.seq,
        eventOf: (line) => ({
          event: line.stream,
          data: JSON.stringify(toLogLine(line)),
        }),
        finished: nanocycleStreamEnd(db, id, nc),
      }) as never;
    },
  );

  return app;
}
