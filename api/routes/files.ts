import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { z } from '@hono/zod-openapi';
import { TevisError } from '../../contracts/errors.js';
import { NO_NUL_PATTERN } from '../../contracts/storable.js';
import type { Database } from '../../db/database.js';
import { appendEvent } from '../../db/timeline-store.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { isPathRefusal } from '../problem.js';
import { SessionIdParam, jsonResponse } from '../schemas.js';
import type { SessionLifecycle } from '../session-lifecycle.js';
import { readInsideWorkspace, resolveInsideWorkspace, writeInsideWorkspace } from '../workspace-path.js';

const tags = ['files'];
const MAX_FILE_BYTES = 5 * 1024 * 1024;
// The path is recorded in the timeline (file.edited), so it must be text Postgres can store.
const PathQuery = z.object({
  path: z
    .string()
    .regex(NO_NUL_PATTERN, 'a path cannot contain a NUL character')
    .max(4096)
    .default('')
    .openapi({ description: 'Relative to the workspace root', example: 'src/index.ts' }),
});
const DirectoryListing = z
  .object({
    path: z.string(),
    entries: z.array(
      z.object({
        name: z.string(),
        type: z.enum(['file', 'directory', 'symlink', 'other']),
        size: z.number(),
      }),
    ),
  })
  .openapi('DirectoryListing');

export function fileRoutes(db: Database, lifecycle: SessionLifecycle) {
  const app = openApiRouter();

  const workspaceOf = (session: { id: string; workspacePath: string | null }) => {
    if (!session.workspacePath)
      throw new TevisError(
        'file-not-found',
        `session ${session.id} has no workspace yet; wait until it is active`,
      );
    return session.workspacePath;
  };

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/sessions/{id}/files',
        tags,
        summary: 'Read a file (raw bytes) or list a directory (JSON) inside the session workspace',
        request: { params: SessionIdParam, query: PathQuery },
        responses: {
          200: {
            description: 'A directory listing (JSON), or the file itself (raw bytes)',
            content: {
              'application/json': { schema: DirectoryListing },
              'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) },
            },
          },
        },
      },
      { answers: [403, 413] },
    ),
    async (c) => {
      const session = await lifecycle.requireCapability(c.req.valid('param').id, 'code:view');
      const root = workspaceOf(session);
      const requested = c.req.valid('query').path;
      const target = await resolveInsideWorkspace(root, requested);
      const info = await stat(target).catch((error: unknown) => {
        // A path that cannot name a file at all (too long, …) is the request's mistake: 400.
        if (isPathRefusal(error)) throw error;
        throw new TevisError('file-not-found', `no file "${requested}" in the workspace of ${session.id}`);
      });
      if (info.isDirectory()) {
        const entries = await readdir(target, { withFileTypes: true });
        const listed = await Promise.all(
          entries.map(async (e) => ({
            name: e.name,
            type: e.isDirectory()
              ? ('directory' as const)
              : e.isFile()
                ? ('file' as const)
                : e.isSymbolicLink()
                  ? ('symlink' as const)
                  : ('other' as const),
            size: e.isFile() ? (await stat(`${target}/${e.name}`).catch(() => ({ size: 0 }))).size : 0,
          })),
        );
        listed.sort((a, b) => a.name.localeCompare(b.name));
        return c.json({ path: relative(root, target), entries: listed }, 200);
      }
      if (info.size > MAX_FILE_BYTES)
        throw new TevisError(
          'payload-too-large',
          `"${requested}" is ${info.size} bytes; the limit is ${MAX_FILE_BYTES}`,
        );
      const content = await readInsideWorkspace(root, target);
      return c.body(content, 200, {
        'content-type': 'application/octet-stream',
        'x-content-type-options': 'nosniff',
      }) as never;
    },
  );

  app.openapi(
    documentedRoute(
      {
        method: 'put',
        path: '/sessions/{id}/files',
        tags,
        summary: 'Write a file inside the workspace of a development session (request body is the content)',
        request: {
          params: SessionIdParam,
          query: PathQuery,
          body: {
            content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
            required: true,
          },
        },
        responses: { 200: jsonResponse(z.object({ path: z.string(), bytes: z.number().int() }), 'Written') },
      },
      { answers: [409] },
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const session = await lifecycle.requireCapability(id, 'file:edit');
      await lifecycle.requireOpen(id);
      const root = workspaceOf(session);
      const requested = c.req.valid('query').path;
      if (!requested) throw new TevisError('validation', 'name the file to write with ?path=');
      const target = await resolveInsideWorkspace(root, requested);
      const rel = relative(root, target);
      if (rel === '.git' || rel.startsWith('.git/'))
        throw new TevisError(
          'path-outside-workspace',
          'the .git directory is not part of the workspace files',
        );
      const body = Buffer.from(await c.req.arrayBuffer());
      if (body.length > MAX_FILE_BYTES)
        throw new TevisError('payload-too-large', `the limit is ${MAX_FILE_BYTES} bytes`);
      if ((await stat(target).catch(() => null))?.isDirectory())
        throw new TevisError('validation', `"${requested}" is a directory; name a file to write`);
      await mkdir(dirname(target), { recursive: true });
      // The parent may have been created just now; check again that it is still inside.
      await resolveInsideWorkspace(root, rel);
      await writeInsideWorkspace(root, target, body);
      await appendEvent(db, { sessionId: id, type: 'file.edited', data: { path: rel, bytes: body.length } });
      await lifecycle.touch(session);
      return c.json({ path: rel, bytes: body.length }, 200);
    },
  );

  return app;
}
