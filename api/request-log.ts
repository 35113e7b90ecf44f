import type { MiddlewareHandler } from 'hono';
import { SESSION_ID_PATTERN } from '../contracts/ids.js';
import { NANOCYCLE_ID_PATTERN } from '../contracts/nanocycle.js';
import type { Logger } from '../runtime/logger.js';
import { routePattern } from './metrics-middleware.js';

/**
 * One JSON line per answered request: method, route pattern, status, duration, and the session and
 * nanocycle the path names. No header and no body is logged (a token never reaches a log); a 5xx
 * line, at `error`, adds the problem's type and detail, which the answer's body already told the
 * client. Registered first, next to the metrics, so refusals are logged too.
 */
export function logRequests(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const status = c.res.status;
      const route = routePattern(c);
      const line = {
        method: c.req.method,
        route,
        status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...pathIds(route, c.req.path),
      };
      if (status >= 500) logger.error({ ...line, ...(await problemOf(c.res)) }, 'request failed');
      else logger.info(line, 'request');
    }
  };
}

/**
 * The `:id` and `:nc` segments of the path, read against the route's pattern: `c.req.param()`
 * holds nothing when a middleware answered (a refusal) before the route's handler ran. Only
 * well-formed ids: the path is what the client sent, and a log field is searched by its value.
 */
function pathIds(route: string, path: string): { sessionId?: string; nanocycleId?: string } {
  const names = route.split('/');
  const values = path.split('/');
  const sessionId = values[names.indexOf(':id')];
  const nanocycleId = values[names.indexOf(':nc')];
  return {
    ...(sessionId && SESSION_ID_PATTERN.test(sessionId) && { sessionId }),
    ...(nanocycleId && NANOCYCLE_ID_PATTERN.test(nanocycleId) && { nanocycleId }),
  };
}

async function problemOf(response: Response): Promise<{ problemType?: string; detail?: string }> {
  if (!response.headers.get('content-type')?.includes('json')) return {};
  const body = (await response
    .clone()
    .json()
    .catch(() => ({}))) as { type?: unknown; detail?: unknown };
  return {
    ...(typeof body.type === 'string' && { problemType: body.type }),
    ...(typeof body.detail === 'string' && { detail: body.detail }),
  };
}
