import type { Client } from '@temporalio/client';
import { bodyLimit } from 'hono/body-limit';
import type { OpenDatabase } from '../db/database.js';
import { requireToken } from './auth.js';
import { refuseCrossOriginWrites } from './cross-origin.js';
import { withLinks } from './openapi-links.js';
import { openApiRouter } from './openapi-app.js';
import { idempotentWrites } from './idempotency.js';
import { ApiMetrics } from './metrics-registry.js';
import { timeRequests } from './metrics-middleware.js';
import { logRequests } from './request-log.js';
import type { Logger } from '../runtime/logger.js';
import { problem, problemResponse, toProblem } from './problem.js';
import { ContextCommands } from './context-commands.js';
import { contextRoutes } from './routes/context.js';
import { fileRoutes } from './routes/files.js';
import { healthRoutes } from './routes/health.js';
import { holdPointRoutes } from './routes/hold-points.js';
import { missionControlRoutes } from './routes/mission-control.js';
import { memoryRoutes } from './routes/memory.js';
import { metricsRoutes } from './routes/metrics.js';
import { NanocycleCommands } from './nanocycle-commands.js';
import { nanocycleLogRoutes } from './routes/nanocycle-logs.js';
import { nanocycleRoutes } from './routes/nanocycles.js';
import { planRoutes } from './routes/plans.js';
import { preferenceRoutes } from './routes/preferences.js';
import { projectRoutes } from './routes/projects.js';
import { referenceRoutes } from './routes/reference.js';
import { ReviewCommands } from './review-commands.js';
import { reviewRoutes } from './routes/review.js';
import { sessionOutputRoutes } from './routes/session-output.js';
import { sessionCommandRoutes } from './routes/session-commands.js';
import { sessionRoutes } from './routes/sessions.js';
import { timelineRoutes } from './routes/timeline.js';
import { temporalCodecRoutes } from './routes/temporal-codec.js';
import { SessionLifecycle } from './session-lifecycle.js';
import { SessionView } from './session-view.js';
import type { PayloadSealingCodec } from '../runtime/payload-sealing-codec.js';

export interface ApiDeps {
  database: OpenDatabase;
  temporal: Client;
  taskQueue: string;
  token: string;
  version: string;
  /** The Temporal Web UI people open, for links to a session's workflow; null when unknown. */
  temporalUi?: { url: string; namespace: string } | null;
  /** The Temporal Web UI's decode endpoint: Tevis's codec and the UI's origin (null: bearer only). */
  codec?: { codec: PayloadSealingCodec; uiOrigin: string | null };
  /** Where unexpected errors go; never to the client. */
  logError?: (error: unknown) => void;
  /** The JSON-lines log of `tevis api` and `tevis up`: a line per request; none when absent (tests). */
  logger?: Logger;
}

export function createApi(deps: ApiDeps) {
  const { database, temporal } = deps;
  const lifecycle = new SessionLifecycle({ db: database, temporal, taskQueue: deps.taskQueue });
  // The workflow's commands by concern, each sent through the lifecycle's one SessionWorkflows.
  const nanocycles = new NanocycleCommands(lifecycle.workflows);
  const review = new ReviewCommands(lifecycle.workflows);
  const context = new ContextCommands(lifecycle.workflows);
  const app = openApiRouter();
  const metrics = new ApiMetrics(database.db);
  const logError =
    deps.logError ??
    (deps.logger
      ? (error: unknown) => deps.logger?.error({ err: error }, 'error answered with a 5xx')
      : console.error);

  app.onError((error, c) => {
    const body = toProblem(error);
    // An outage is expected and said in one line; anything else 5xx is a bug worth its stack.
    if (body.status === 503)
      logError(
        `${c.req.method} ${c.req.path}: ${body.type}: ${error instanceof Error ? error.message : String(error)}`,
      );
    else if (body.status >= 500) logError(error);
    return problemResponse(c, body);
  });
  app.notFound((c) =>
    problemResponse(c, problem('not-found', `no route ${c.req.method} ${c.req.path}; see /reference`)),
  );
  // First, so every answer is timed, refusals too.
  app.use('*', timeRequests(metrics.requestDuration));
  if (deps.logger) app.use('*', logRequests(deps.logger));
  // Before the token: a page of another origin is refused whatever it carries.
  app.use('*', refuseCrossOriginWrites());
  app.use('*', requireToken(deps.token));
  app.use(
    '*',
    bodyLimit({
      maxSize: 6 * 1024 * 1024,
      onError: (c) =>
        problemResponse(c, problem('payload-too-large', 'the request body is larger than 6 MiB')),
    }),
  );
  // Every state-changing route, present and future, is safe to retry with an Idempotency-Key.
  app.use('*', idempotentWrites(database.db));

  app.route('/', healthRoutes(database, temporal, deps.taskQueue, deps.version));
  app.route('/', projectRoutes(database.db));
  app.route('/', sessionRoutes(database.db, lifecycle, new SessionView(database, lifecycle)));
  app.route('/', sessionCommandRoutes(lifecycle));
  app.route('/', timelineRoutes(database));
  app.route('/', fileRoutes(database.db, lifecycle));
  app.route('/', nanocycleRoutes(database, lifecycle, nanocycles));
  app.route('/', nanocycleLogRoutes(database));
  app.route('/', holdPointRoutes(database, lifecycle, nanocycles));
  app.route('/', sessionOutputRoutes(database));
  app.route('/', reviewRoutes(database.db, lifecycle, review));
  app.route('/', planRoutes(database.db, lifecycle));
  app.route('/', contextRoutes(lifecycle, context));
  app.route('/', preferenceRoutes(database.db, lifecycle));
  app.route('/', memoryRoutes(database.db, lifecycle));
  app.route('/', referenceRoutes());
  app.route('/', metricsRoutes(metrics));
  app.route('/', missionControlRoutes({ temporalUi: deps.temporalUi ?? null }));
  if (deps.codec) app.route('/', temporalCodecRoutes({ token: deps.token, ...deps.codec }));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  // Generated once, on first request: the routes do not change after this point, and every API
  // instance of a version generates the same document.
  let document: unknown;
  app.get('/openapi.json', (c) => {
    document ??= withLinks(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'Tevis Sessions API',
          version: deps.version,
          description:
            'Durable sessions on git repositories. Errors are application/problem+json with a stable `type`.',
        },
        security: [{ bearer: [] }],
      }),
    );
    return c.json(document);
  });
  return { app, lifecycle };
}
