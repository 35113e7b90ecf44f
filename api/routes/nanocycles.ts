import { z } from '@hono/zod-openapi';
import { diffMerge, diffNanocycle } from '../../git/nanocycle-diff.js';
import { NanocycleCreate, NanocycleMerge } from '../../contracts/nanocycle.js';
import { NanocycleDiff, NanocycleRecord } from '../../contracts/nanocycle-records.js';
import { NanocycleBrief } from '../../contracts/session-state.js';
import { TevisError } from '../../contracts/errors.js';
import type { OpenDatabase } from '../../db/database.js';
import { getNanocycle, listNanocycles } from '../../db/nanocycles-store.js';
import { getSession } from '../../db/sessions-store.js';
import { lastNanocycleEvent } from '../../db/timeline-store.js';
import type { NanocycleCommands } from '../nanocycle-commands.js';
import { optionalBody } from '../optional-body.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { jsonBody, jsonResponse } from '../schemas.js';
import type { SessionLifecycle } from '../session-lifecycle.js';
import { NcParams, SessionParam } from './nanocycle-params.js';

const tags = ['nanocycles'];

/** Statuses a nanocycle can have without ever having started, so without a branch. */
const BRANCH_MAY_BE_MISSING = new Set(['queued', 'cancelled', 'failed', 'rejected']);

/** A development session's nanocycles: queued, listed, compared, cancelled and merged. */
export function nanocycleRoutes(
  database: OpenDatabase,
  lifecycle: SessionLifecycle,
  nanocycles: NanocycleCommands,
) {
  const { db } = database;
  const app = openApiRouter();

  app.openapi(
    documentedRoute(
      {
        method: 'post',
        path: '/sessions/{id}/nanocycles',
        tags,
        summary: 'Queue a nanocycle on a TPU (development sessions)',
        request: { params: z.object({ id: SessionParam }), body: jsonBody(NanocycleCreate) },
        responses: { 201: jsonResponse(NanocycleBrief, 'Queued') },
      },
      { answers: [409] },
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      await lifecycle.requireCapability(id, 'nanocycle:create');
      await lifecycle.requireOpen(id);
      return c.json(await nanocycles.create(id, c.req.valid('json')), 201);
    },
  );

  app.openapi(
    documentedRoute({
      method: 'get',
      path: '/sessions/{id}/nanocycles',
      tags,
      summary: 'The nanocycles of a session',
      request: { params: z.object({ id: SessionParam }) },
      responses: { 200: jsonResponse(z.object({ nanocycles: z.array(NanocycleRecord) }), 'Nanocycles') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await getSession(db, id);
      return c.json({ nanocycles: await listNanocycles(db, id) }, 200);
    },
  );

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/sessions/{id}/nanocycles/{nc}/diff',
        tags,
        summary: "The nanocycle's changes against the session branch: files and patch",
        request: { params: NcParams },
        responses: { 200: jsonResponse(NanocycleDiff, 'Diff') },
      },
      { answers: [409] },
    ),
    async (c) => {
      const { id, nc } = c.req.valid('param');
      const session = await getSession(db, id);
      const row = await getNanocycle(db, id, nc);
      if (!session.workspacePath) throw new TevisError('file-not-found', `session ${id} has no workspace`);
      const workspace = session.workspacePath;
      const merged =
        row.status === 'merged' ? await lastNanocycleEvent(db, id, 'nanocycle.merged', nc) : null;
      const mergeCommit = merged?.data.commit ?? null;
      // A merged branch is inside the session branch, so show what its merge brought in; a merge
      // that was a no-op (the branch was in already) has no second parent and falls back.
      const diff = mergeCommit ? await diffMerge({ workspace, commit: mergeCommit }).catch(() => null) : null;
      if (diff) return c.json(diff, 200);
      try {
        return c.json(await diffNanocycle({ workspace, base: session.branch, branch: row.branch }), 200);
      } catch (error) {
        // A nanocycle's branch is made when it starts: one still queued, or stopped before it
        // started, has nothing to compare yet. That is its state, not a fault.
        if (BRANCH_MAY_BE_MISSING.has(row.status))
          throw new TevisError(
            'invalid-transition',
            `${nc} is ${row.status} and has no branch ${row.branch} to compare yet`,
          );
        throw error;
      }
    },
  );

  app.openapi(
    documentedRoute(
      {
        method: 'post',
        path: '/sessions/{id}/nanocycles/{nc}/cancel',
        tags,
        summary: 'Cancel a queued, running or waiting nanocycle; its container is stopped and removed',
        request: { params: NcParams },
        responses: { 200: jsonResponse(NanocycleBrief, 'Cancelled') },
      },
      { answers: [409] },
    ),
    async (c) => {
      const { id, nc } = c.req.valid('param');
      await lifecycle.requireOpen(id);
      return c.json(await nanocycles.cancel(id, nc), 200);
    },
  );

  app.openapi(
    documentedRoute(
      {
        method: 'post',
        path: '/sessions/{id}/nanocycles/{nc}/merge',
        tags,
        summary:
          'Merge a completed nanocycle into the session branch (approves its merge hold point, with who and why)',
        request: { params: NcParams, body: { ...jsonBody(NanocycleMerge), required: false } },
        responses: { 200: jsonResponse(NanocycleBrief, 'Merged, queued to merge, or in conflict') },
      },
      { answers: [409] },
    ),
    async (c) => {
      const { id, nc } = c.req.valid('param');
      const merge = await optionalBody(c, NanocycleMerge);
      await lifecycle.requireOpen(id);
      return c.json(await nanocycles.merge(id, nc, merge), 200);
    },
  );

  return app;
}
