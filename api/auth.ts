import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { problem, problemResponse } from './problem.js';

export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Static pages and their files, with no data in them: Mission Control (`/`, `/web/…`) and the API
 * reference (`/reference`, `/reference/assets/…`). What they show comes from the API with the
 * token the person gave the page.
 */
function isStaticPage(method: string, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return (
    path === '/' ||
    /^\/web\/[A-Za-z0-9._-]+$/.test(path) ||
    path === '/reference' ||
    /^\/reference\/assets\/[A-Za-z0-9._-]+$/.test(path)
  );
}

/**
 * Every route but `/health` and the static pages needs the API token as `Authorization: Bearer …`,
 * and nothing else: no cookie or other credential a browser would send by itself, so a page of
 * another origin can never act with the person's authority.
 */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path === '/health' || isStaticPage(c.req.method, c.req.path)) return next();
    // The Temporal UI's codec endpoint authenticates itself (bearer, or its own cookie from the UI's origin only).
    if (c.req.path.startsWith('/codec/')) return next();
    const header = c.req.header('authorization');
    const given = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!given || !tokensEqual(given, token)) {
      c.header('WWW-Authenticate', 'Bearer realm="tevis"');
      return problemResponse(
        c,
        problem(
          'unauthorized',
          'send the API token as "Authorization: Bearer <token>"; `tevis up` stores it in $TEVIS_HOME/api-token',
        ),
      );
    }
    return next();
  };
}
