import { z } from '@hono/zod-openapi';
import { DEFAULT_PROJECT_SETTINGS, Project, ProjectCreate, ProjectUpdate } from '../../contracts/project.js';
import { applyExecutionInput } from '../../contracts/execution-settings.js';
import type { Database } from '../../db/database.js';
import { getProject, insertProject, listProjects, saveProject } from '../../db/projects-store.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { ProjectNameParam, jsonBody, jsonResponse } from '../schemas.js';

const tags = ['projects'];

export function projectRoutes(db: Database) {
  const app = openApiRouter();

  app.openapi(
    documentedRoute(
      {
        method: 'post',
        path: '/projects',
        tags,
        summary: 'Create a project',
        request: { body: jsonBody(ProjectCreate) },
        responses: { 201: jsonResponse(Project, 'Created') },
      },
      { answers: [409] },
    ),
    async (c) => {
      const body = c.req.valid('json');
      const project = await insertProject(db, {
        name: body.name,
        repository: body.repository,
        defaultBranch: body.defaultBranch,
        settings: {
          activeTimeoutSeconds: body.activeTimeout ?? DEFAULT_PROJECT_SETTINGS.activeTimeoutSeconds,
          pausedTimeoutSeconds: body.pausedTimeout ?? DEFAULT_PROJECT_SETTINGS.pausedTimeoutSeconds,
          preferences: body.preferences ?? {},
          execution: applyExecutionInput(DEFAULT_PROJECT_SETTINGS.execution, body.execution ?? {}),
        },
      });
      return c.json(project, 201);
    },
  );

  app.openapi(
    documentedRoute({
      method: 'get',
      path: '/projects',
      tags,
      summary: 'List projects',
      responses: { 200: jsonResponse(z.object({ projects: z.array(Project) }), 'Projects') },
    }),
    async (c) => c.json({ projects: await listProjects(db) }, 200),
  );

  app.openapi(
    documentedRoute({
      method: 'get',
      path: '/projects/{name}',
      tags,
      summary: 'Get a project',
      request: { params: ProjectNameParam },
      responses: { 200: jsonResponse(Project, 'The project') },
    }),
    async (c) => c.json(await getProject(db, c.req.valid('param').name), 200),
  );

  app.openapi(
    documentedRoute({
      method: 'patch',
      path: '/projects/{name}',
      tags,
      summary: 'Update a project: repository, default branch, timeouts, preferences',
      request: { params: ProjectNameParam, body: jsonBody(ProjectUpdate) },
      responses: { 200: jsonResponse(Project, 'The updated project') },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const body = c.req.valid('json');
      const current = await getProject(db, name);
      const preferences = { ...current.settings.preferences };
      for (const [key, value] of Object.entries(body.preferences ?? {})) {
        if (value === null) delete preferences[key];
        else preferences[key] = value;
      }
      const updated = await saveProject(db, name, {
        repository: body.repository ?? current.repository,
        defaultBranch: body.defaultBranch ?? current.defaultBranch,
        settings: {
          activeTimeoutSeconds: body.activeTimeout ?? current.settings.activeTimeoutSeconds,
          pausedTimeoutSeconds: body.pausedTimeout ?? current.settings.pausedTimeoutSeconds,
          preferences,
          execution: applyExecutionInput(current.settings.execution, body.execution ?? {}),
        },
      });
      return c.json(updated, 200);
    },
  );

  return app;
}
