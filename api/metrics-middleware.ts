import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Histogram } from 'prom-client';

/**
 * Times every request into `tevis_http_request_duration_seconds`. Registered first, so refusals
 * (401, 403, 413) are timed too. The route label is the pattern of the route the request matched
 * (`/sessions/:id`), never its path: ids in labels would make a new series per session.
 */
export function timeRequests(histogram: Histogram<'method' | 'route' | 'status'>): MiddlewareHandler {
  return async (c, next) => {
    const end = histogram.startTimer();
    try {
      await next();
    } finally {
      end({ method: c.req.method, route: routePattern(c), status: String(c.res.status) });
    }
  };
}

/**
 * The last route with a method of its own among those matched: middleware (`use`) is registered
 * for every method (`ALL`), so what is left is the handler, whether or not a refusal stopped the
 * request before it. None means no route matched (a 404).
 */
export function routePattern(c: Parameters<MiddlewareHandler>[0]): string {
  const handlers = matchedRoutes(c).filter((route) => route.method !== 'ALL');
  return handlers.at(-1)?.path ?? 'unmatched';
}
