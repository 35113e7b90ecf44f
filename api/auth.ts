import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { problem, problemResponse } from './problem.js';

/** Browsers cannot send a bearer header to the reference page; it sets this cookie instead. */
export const TOKEN_COOKIE = 'tevis_token';

export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Mission Control's page and scripts: static, no data in them; what they show needs the token. */
function isMissionControlAsset(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && (path === '/' || /^\/web\/[A-Za-z0-9._-]+$/.test(path));
}

/** Every route but `/health` and Mission Control's static files needs the API token, as `Authorization: Bearer …` or the cookie. */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path === '/health' || isMissionControlAsset(c.req.method, c.req.path)) return next();
    // The Temporal UI's codec endpoint authenticates itself (bearer, or its own cookie from the UI's origin only).
    if (c.req.path.startsWith('/codec/')) return next();
    // The reference page checks a `?token=` itself, to trade it for the cookie.
    if (c.req.path === '/reference' && c.req.query('token') !== undefined) return next();
    const header = c.req.header('authorization');
    const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const given = bearer ?? getCookie(c, TOKEN_COOKIE);
    if (!given || !tokensEqual(given, token)) {
      c.header('WWW-Authenticate', 'Bearer realm="tevis"');
      return problemResponse(c, problem('unauthorized', 'send the API token as "Authorization: Bearer <token>"; `tevis up` stores it in $TEVIS_HOME/api-token'));
    }
    return next();
  };
}
