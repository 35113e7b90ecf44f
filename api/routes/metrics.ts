import { z } from '@hono/zod-openapi';
import { documentedRoute } from '../documented-route.js';
import type { ApiMetrics } from '../metrics-registry.js';
import { openApiRouter } from '../openapi-app.js';

/**
 * Prometheus's scrape target. Behind the API token like every route but /health: the counts say
 * what a team works on and how much, and Prometheus sends a bearer token (`authorization` in its
 * scrape config).
 */
export function metricsRoutes(metrics: ApiMetrics) {
  const app = openApiRouter();

  app.openapi(
    documentedRoute({
      method: 'get',
      path: '/metrics',
      tags: ['operations'],
      summary:
        'Metrics in Prometheus text format: sessions, nanocycles, hold points, TPU seconds, API latency',
      responses: {
        200: {
          description:
            'Prometheus text exposition format 0.0.4: the `tevis_…` series and the Node process series',
          content: { 'text/plain': { schema: z.string() } },
        },
      },
    }),
    async (c) =>
      c.body(await metrics.render(), 200, {
        'content-type': metrics.contentType,
        'cache-control': 'no-store',
      }) as never,
  );

  return app;
}
