import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SessionLogLine } from '../../contracts/nanocycle-records.js';
import {
  advanceOutputCursor,
  formatOutputCursor,
  parseOutputCursor,
  type OutputCursor,
} from '../../contracts/output-cursor.js';
import { TevisError } from '../../contracts/errors.js';
import type { OpenDatabase } from '../../db/database.js';
import { listSessionLogLines, toSessionLogLine, type StoredLogLine } from '../../db/nanocycle-logs-store.js';
import { getSession } from '../../db/sessions-store.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { SessionIdParam, eventStreamResponse, streamOverResponse, jsonResponse } from '../schemas.js';
import { streamByCursor } from '../sse-by-sequence.js';
import { sessionStreamEnd } from '../stream-ends.js';

const tags = ['nanocycles'];
const CURSOR_HELP =
  'The last seq seen of each nanocycle, e.g. `NC-001:12,NC-002:40` (the SSE id); empty from the start';
const After = z.object({
  after: z
    .string()
    .max(64_000)
    .optional()
    .openapi({ description: CURSOR_HELP, example: 'NC-001:12,NC-002:40' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .openapi({ description: 'At most this many lines of each nanocycle' }),
});

function cursorFrom(text: string | undefined, where: string): OutputCursor {
  const cursor = parseOutputCursor(text ?? '');
  if (!cursor) throw new TevisError('validation', `${where} is not an output cursor: ${CURSOR_HELP}`);
  return cursor;
}

/** `Last-Event-ID` when the client sent one, else `?after=`, else the start. */
function resumeCursor(c: Context, after: string | undefined): OutputCursor {
  const lastEventId = c.req.header('last-event-id');
  return lastEventId !== undefined && lastEventId !== ''
    ? cursorFrom(lastEventId, 'Last-Event-ID')
    : cursorFrom(after, 'after');
}

/** Every nanocycle's output of a session in one place, for a person (or page) watching it all. */
export function sessionOutputRoutes(database: OpenDatabase) {
  const { db } = database;
  const app = openApiRouter();

  app.openapi(
    documentedRoute({
      method: 'get',
      path: '/sessions/{id}/output',
      tags,
      summary: "The output lines of all the session's nanocycles after a cursor",
      description:
        "Each nanocycle's lines in order, the nanocycles' interleaved by time. `cursor` is where to continue from; `more` is true when some nanocycle had more lines than `limit` (default and most 1000), left for the next read.",
      request: { params: SessionIdParam, query: After },
      responses: {
        200: jsonResponse(
          z.object({ lines: z.array(SessionLogLine), cursor: z.string(), more: z.boolean() }),
          'Lines',
        ),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { after, limit = 1000 } = c.req.valid('query');
      let cursor = cursorFrom(after, 'after');
      await getSession(db, id);
      // One more line of each nanocycle than asked tells whether a read was cut.
      const read = await listSessionLogLines(db, {
        sessionId: id,
        after: cursor,
        limitPerNanocycle: limit + 1,
      });
      const taken = new Map<string, number>();
      let more = false;
      const lines = read.filter((line) => {
        const count = (taken.get(line.nanocycleId) ?? 0) + 1;
        taken.set(line.nanocycleId, count);
        if (count > limit) more = true;
        return count <= limit;
      });
      for (const line of lines) cursor = advanceOutputCursor(cursor, line);
      return c.json({ lines: lines.map(toSessionLogLine), cursor: formatOutputCursor(cursor), more }, 200);
    },
  );

  app.openapi(
    documentedRoute({
      method: 'get',
      path: '/sessions/{id}/output/stream',
      tags,
      summary: "All the session's nanocycle output live as SSE; resume with Last-Event-ID",
      description:
        'Events `stdout` and `stderr` carry a SessionLogLine. Each SSE id is the output cursor after that line; reconnecting with it as `Last-Event-ID` yields every later line exactly once.',
      request: { params: SessionIdParam, query: After },
      responses: {
        204: streamOverResponse,
        200: eventStreamResponse('SessionLogLine', 'stdout and stderr events'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const after = resumeCursor(c, c.req.valid('query').after);
      await getSession(db, id);
      return streamByCursor<StoredLogLine, OutputCursor>(c, database, {
        sessionId: id,
        after,
        read: (cursor, limit) =>
          listSessionLogLines(db, { sessionId: id, after: cursor, limitPerNanocycle: limit }),
        advance: advanceOutputCursor,
        idOf: formatOutputCursor,
        eventOf: (line) => ({ event: line.stream, data: JSON.stringify(toSessionLogLine(line)) }),
        finished: sessionStreamEnd(db, id),
      }) as never;
    },
  );

  return app;
}
