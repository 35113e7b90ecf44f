import { z } from '@hono/zod-openapi';
import { PROJECT_NAME_PATTERN, SESSION_ID_PATTERN } from '../contracts/ids.js';
import { PROBLEM_TYPES } from '../contracts/problems.js';

/** HTTP-only shapes: path parameters and the problem document. Payloads live in contracts/. */
// Built here from this module's `z` rather than `SessionId.openapi(...)`: a zod schema made before
// @hono/zod-openapi was first imported has no `.openapi`, so that depended on import order (a
// process importing contracts/ids.ts before api/ crashed at load).
export const SessionIdParam = z.object({
  id: z
    .string()
    .regex(SESSION_ID_PATTERN, 'a session id looks like sess_a1b2c3')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'sess_a1b2c3' }),
});
export const ProjectNameParam = z.object({
  name: z
    .string()
    .regex(PROJECT_NAME_PATTERN, 'a project name is 1-63 lowercase letters, digits and "-"')
    .openapi({ param: { name: 'name', in: 'path' }, example: 'my-saas-app' }),
});

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:tevis:problem:session-conflict' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
  })
  .passthrough()
  .openapi('Problem', {
    description: `Stable types: ${Object.keys(PROBLEM_TYPES)
      .map((t) => `urn:tevis:problem:${t}`)
      .join(', ')}`,
  });

/**
 * A Server-Sent Events stream. OpenAPI 3.1 cannot give a schema to each event, so the body is a
 * string and the description names the schema of each event's `data` (a component of this document).
 */
export function eventStreamResponse(eventSchema: string, events: string) {
  return {
    description:
      `text/event-stream: ${events}; each event's \`data\` is a JSON ${eventSchema} and its \`id\` the cursor to resume from with Last-Event-ID. ` +
      'When what the stream follows is over, a last event `end` (data `{"reason": …}`, no id) comes and the stream closes',
    content: { 'text/event-stream': { schema: z.string() } },
  };
}

/** A stream asked for after what it follows is over, with nothing left to send. */
export const streamOverResponse = {
  description:
    'What the stream follows is over and nothing is left after the cursor: no content, which tells an EventSource to stop reconnecting',
};

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { 'application/json': { schema } }, required: true };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}
