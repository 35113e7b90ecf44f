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
      responses: { 200: jsonResponse(z.object({ lines: z.array(LogLine) }), 'Lines') },
    }),
    async (c) => {
      const { id, nc } = c.req.valid('param');
      await getNanocycle(db, id, nc);
      const { after, limit } = c.req.valid('query');
      const lines = await listLogLines(db, {
        sessionId: id,
        nanocycleId: nc,
        afterSeq: after ?? 0,
        limit: limit ?? 1000,
      });
      return c.json({ lines: lines.map(toLogLine) }, 200);
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
