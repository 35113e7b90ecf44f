import { z } from '@hono/zod-openapi';
import { diffMerge, diffNanocycle } from '../../git/nanocycle-diff.js';
import {
  HOLD_ID_PATTERN,
  HoldPointResolve,
  NANOCYCLE_ID_PATTERN,
  NanocycleCreate,
  NanocycleMerge,
} from '../../contracts/nanocycle.js';
import {
  HoldPointRecord,
  LogLine,
  NanocycleDiff,
  NanocycleRecord,
} from '../../contracts/nanocycle-records.js';
import { HoldPointBrief, NanocycleBrief } from '../../contracts/session-state.js';
import { TevisError } from '../../contracts/errors.js';
import type { OpenDatabase } from '../../db/database.js';
import { listHoldPoints } from '../../db/hold-points-store.js';
import { listLogLines } from '../../db/nanocycle-logs-store.js';
import { getNanocycle, listNanocycles } from '../../db/nanocycles-store.js';
import { getSession } from '../../db/sessions-store.js';
import { lastNanocycleEvent } from '../../db/timeline-store.js';
import {
  cancelNanocycleUpdate,
  createNanocycleUpdate,
  mergeNanocycleUpdate,
  resolveHoldPointUpdate,
} from '../../workflows/nanocycle-messages.js';
import { optionalBody } from '../optional-body.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { jsonBody, eventStreamResponse, streamOverResponse, jsonResponse } from '../schemas.js';
import type { SessionLifecycle } from '../session-lifecycle.js';
import { resumeFrom, streamBySequence } from '../sse-by-sequence.js';
import { SESSION_ID_PATTERN } from '../../contracts/ids.js';
import { MAX_INT4 } from '../../contracts/storable.js';
import { nanocycleStreamEnd } from '../stream-ends.js';

const SessionParam = z
  .string()
  .regex(SESSION_ID_PATTERN, 'a session id looks like sess_a1b2c3')
  .openapi({ param: { name: 'id', in: 'path' }, example: 'sess_a1b2c3' });
// From this module's `z`, not `NanocycleId.openapi(...)`: a contracts/ schema made before
// @hono/zod-openapi was first imported has no `.openapi` (see api/schemas.ts).
const NcParams = z.object({
  id: SessionParam,
  nc: z
    .string()
    .regex(NANOCYCLE_ID_PATTERN, 'a nanocycle id looks like NC-001')
    .openapi({ param: { name: 'nc', in: 'path' }, example: 'NC-001' }),
});
const HoldParams = z.object({
  id: SessionParam,
  // The contract's own pattern: a regex with flags (it was /…/i) is emitted with "/i" after the
  // "$", a JSON Schema pattern no id can ever match.
  hp: z
    .string()
    .regex(HOLD_ID_PATTERN, 'a hold point id looks like HP-001-merge')
    .openapi({ param: { name: 'hp', in: 'path' }, example: 'HP-001-merge' }),
});
// Bounded to the int4 `seq` column: a larger cursor is a client mistake (400), not a database error.
const After = z.object({
  after: z.coerce.number().int().min(0).max(MAX_INT4).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
const tags = ['nanocycles'];

const iso = (d: Date | null) => d?.toISOString() ?? null;
/** Statuses a nanocycle can have without ever having started, so without a branch. */
const BRANCH_MAY_BE_MISSING = new Set(['queued', 'cancelled', 'failed', 'rejected']);

export function nanocycleRoutes(database: OpenDatabase, lifecycle: SessionLifecycle) {
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
      return c.json(await lifecycle.update(id, createNanocycleUpdate, [c.req.valid('json')]), 201);
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
      const rows = await listNanocycles(db, id);
      return c.json(
        {
          nanocycles: rows.map((r) => ({
            id: r.id,
            name: r.name,
            goal: r.goal,
            status: r.status,
            branch: r.branch,
            executor: r.executor,
            createdAt: r.createdAt.toISOString(),
            startedAt: iso(r.startedAt),
            finishedAt: iso(r.finishedAt),
            data: r.data,
          })),
        },
        200,
      );
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
      const mergeCommit = typeof merged?.data.commit === 'string' ? merged.data.commit : null;
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
      return c.json(await lifecycle.update(id, cancelNanocycleUpdate, [nc]), 200);
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
      return c.json(await lifecycle.update(id, mergeNanocycleUpdate, [nc, merge]), 200);
    },
  );

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
      return c.json(
        {
          lines: lines.map((l) => ({
            seq: l.seq,
            run: l.run,
            attempt: l.attempt,
            stream: l.stream,
            line: l.line,
            at: l.at.toISOString(),
          })),
        },
        200,
      );
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
          data: JSON.stringify({
            seq: line.seq,
            run: line.run,
            attempt: line.attempt,
            stream: line.stream,
            line: line.line,
            at: line.at.toISOString(),
          }),
        }),
        finished: nanocycleStreamEnd(db, id, nc),
      }) as never;
    },
  );

  app.openapi(
    documentedRoute({
      method: 'get',
      path: '/sessions/{id}/holds',
      tags: ['hold points'],
      summary: 'Hold points of a session, pending first',
      request: { params: z.object({ id: SessionParam }) },
      responses: { 200: jsonResponse(z.object({ holdPoints: z.array(HoldPointRecord) }), 'Hold points') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await getSession(db, id);
      const rows = await listHoldPoints(db, id);
      const ordered = [
        ...rows.filter((r) => r.status === 'pending'),
        ...rows.filter((r) => r.status !== 'pending'),
      ];
      return c.json(
        {
          holdPoints: ordered.map((r) => ({
            id: r.id,
            nanocycleId: r.nanocycleId,
            kind: r.kind,
            reason: r.reason,
            status: r.status,
            openedAt: r.openedAt.toISOString(),
            resolvedAt: iso(r.resolvedAt),
            resolvedBy: r.resolvedBy,
            comment: r.comment,
          })),
        },
        200,
      );
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.openapi(
      documentedRoute(
        {
          method: 'post',
          path: `/sessions/{id}/holds/{hp}/${decision}`,
          tags: ['hold points'],
          summary:
            decision === 'approve'
              ? 'Approve a hold point (a plan may get an edited goal)'
              : 'Reject a hold point',
          request: { params: HoldParams, body: { ...jsonBody(HoldPointResolve), required: false } },
          responses: { 200: jsonResponse(HoldPointBrief, 'Resolved') },
        },
        { answers: [409] },
      ),
      async (c) => {
        const { id, hp } = c.req.valid('param');
        // Only sessions that run nanocycles have hold points; answering one needs no more than that.
        await lifecycle.requireOpen(id);
        const resolution = await optionalBody(c, HoldPointResolve);
        return c.json(
          await lifecycle.update(id, resolveHoldPointUpdate, [{ holdPointId: hp, decision, ...resolution }]),
          200,
        );
      },
    );
  }

  return app;
}
