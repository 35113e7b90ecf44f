import {
  PlanDrafted,
  PlanVersion,
  PlanVersionList,
  PlanVersionNumber,
  ProjectPlans,
} from '../../contracts/plan.js';
import { PlanDraft } from '../../contracts/session.js';
import { TevisError } from '../../contracts/errors.js';
import type { Database } from '../../db/database.js';
import {
  draftPlan,
  findPlanVersion,
  listPlanVersions,
  listProjectPlans,
} from '../../db/plan-versions-store.js';
import { getProject } from '../../db/projects-store.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { ProjectNameParam, SessionIdParam, jsonBody, jsonResponse } from '../schemas.js';
import type { SessionLifecycle } from '../session-lifecycle.js';

const tags = ['planning'];
const VersionParam = SessionIdParam.extend({
  version: PlanVersionNumber.openapi({ param: { name: 'version', in: 'path' }, example: 1 }),
});

/** A planning session's plan: drafted as numbered versions, read back on open and ended sessions alike. */
export function planRoutes(db: Database, lifecycle: SessionLifecycle) {
  const app = openApiRouter();

  const noPlan = (id: string) =>
    new TevisError(
      'plan-not-found',
      `session ${id} has no plan yet; draft one with \`tevis plan draft --session ${id} --file plan.md\` (API: PUT /sessions/${id}/plan)`,
    );

  app.openapi(
    documentedRoute(
      {
        method: 'put',
        path: '/sessions/{id}/plan',
        tags,
        summary:
          'Draft the plan of a planning session: a new numbered version (the same text as the latest adds none)',
        request: { params: SessionIdParam, body: jsonBody(PlanDraft) },
        responses: { 200: jsonResponse(PlanDrafted, 'Saved: the version that holds the text') },
      },
      { answers: [403, 409] },
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const session = await lifecycle.requireCapability(id, 'plan:draft');
      await lifecycle.requireOpen(id);
      const drafted = await draftPlan(db, id, c.req.valid('json').plan);
      await lifecycle.touch(session);
      return c.json(drafted, 200);
    },
  );

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/sessions/{id}/plan',
        tags,
        summary: "The latest version of a planning session's plan",
        request: { params: SessionIdParam },
        responses: { 200: jsonResponse(PlanVersion, 'The latest plan') },
      },
      { answers: [403] },
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      await lifecycle.requireCapability(id, 'plan:draft');
      const plan = await findPlanVersion(db, id);
      if (!plan) throw noPlan(id);
      return c.json(plan, 200);
    },
  );

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/sessions/{id}/plan/versions',
        tags,
        summary: "The versions of a planning session's plan, newest first (number, length, created)",
        request: { params: SessionIdParam },
        responses: { 200: jsonResponse(PlanVersionList, 'Versions') },
      },
      { answers: [403] },
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      await lifecycle.requireCapability(id, 'plan:draft');
      return c.json({ sessionId: id, versions: await listPlanVersions(db, id) }, 200);
    },
  );

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/sessions/{id}/plan/versions/{version}',
        tags,
        summary: "One version of a planning session's plan",
        request: { params: VersionParam },
        responses: { 200: jsonResponse(PlanVersion, 'The version') },
      },
      { answers: [403] },
    ),
    async (c) => {
      const { id, version } = c.req.valid('param');
      await lifecycle.requireCapability(id, 'plan:draft');
      const plan = await findPlanVersion(db, id, version);
      if (!plan) {
        const versions = await listPlanVersions(db, id);
        if (versions.length === 0) throw noPlan(id);
        throw new TevisError(
          'plan-not-found',
          `session ${id} has no plan version ${version}; its versions are 1 to ${versions[0]!.version} (\`tevis plan versions --session ${id}\`)`,
        );
      }
      return c.json(plan, 200);
    },
  );

  app.openapi(
    documentedRoute({
      method: 'get',
      path: '/projects/{name}/plans',
      tags,
      summary: "The latest plan version of each of a project's sessions that drafted one, newest first",
      request: { params: ProjectNameParam },
      responses: { 200: jsonResponse(ProjectPlans, 'Plans') },
    }),
    async (c) => {
      const project = await getProject(db, c.req.valid('param').name);
      return c.json({ project: project.name, plans: await listProjectPlans(db, project.name) }, 200);
    },
  );

  return app;
}
