import { z } from '@hono/zod-openapi';
import { HoldPointResolve } from '../../contracts/nanocycle.js';
import { HoldPointRecord } from '../../contracts/nanocycle-records.js';
import { HoldPointBrief } from '../../contracts/session-state.js';
import type { OpenDatabase } from '../../db/database.js';
import { listHoldPoints } from '../../db/hold-points-store.js';
import { getSession } from '../../db/sessions-store.js';
import { refuseUnofferedOption } from '../agent-option-choice.js';
import type { NanocycleCommands } from '../nanocycle-commands.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { optionalBody } from '../optional-body.js';
import { jsonBody, jsonResponse } from '../schemas.js';
import type { SessionLifecycle } from '../session-lifecycle.js';
import { HoldParams, SessionParam } from './nanocycle-params.js';

/** Hold points: where a nanocycle (or its merge) waits for a person, listed and answered. */
export function holdPointRoutes(
  database: OpenDatabase,
  lifecycle: SessionLifecycle,
  nanocycles: NanocycleCommands,
) {
  const { db } = database;
  const app = openApiRouter();

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
      return c.json({ holdPoints: ordered }, 200);
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
              ? "Approve a hold point (a plan may get an edited goal, an agent's question one of its allow options)"
              : "Reject a hold point (an agent's question may get one of its reject options)",
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
        if (resolution.option !== undefined)
          await refuseUnofferedOption(db, id, hp, decision, resolution.option);
        return c.json(await nanocycles.resolveHoldPoint(id, hp, decision, resolution), 200);
      },
    );
  }

  return app;
}
