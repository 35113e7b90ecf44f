import type { MiddlewareHandler } from 'hono';
import { problem, problemResponse } from './problem.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Why a request that changes state must not be served, or null when it may be. Browsers say where
 * a request comes from (`Sec-Fetch-Site`, `Origin`) and a page cannot forge either; clients that
 * are not browsers (the CLI, scripts) send neither and are judged by their bearer token alone.
 *
 * A same-origin request from a page with `Referrer-Policy: no-referrer` (Mission Control's) carries
 * `Origin: null`; it is accepted only when the browser also vouches `Sec-Fetch-Site: same-origin`.
 */
export function crossOriginReason(headers: {
  origin?: string;
  secFetchSite?: string;
  host?: string;
}): string | null {
  const site = headers.secFetchSite?.toLowerCase();
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return `the browser says the request comes from a ${site} page (Sec-Fetch-Site)`;
  const origin = headers.origin;
  if (origin === undefined) return null;
  if (origin === 'null')
    return site === 'same-origin' ? null : 'the request comes from an opaque origin (Origin: null)';
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    return 'the Origin header is not an origin';
  }
  return host === headers.host?.toLowerCase()
    ? null
    : `the request comes from ${origin.slice(0, 200)}, not from this API's own origin`;
}

/**
 * Refuses POST, PUT, PATCH and DELETE from another origin with 403 `cross-origin-refused`, before
 * the token is even looked at: a browser tab elsewhere gets no say, whatever it carries. The
 * API sends no CORS headers, so browsers also keep other origins from reading its answers.
 * `/codec/` is not judged here: the Temporal UI's codec endpoint does its own origin checks.
 */
export function refuseCrossOriginWrites(): MiddlewareHandler {
  return async (c, next) => {
    if (!STATE_CHANGING.has(c.req.method) || c.req.path.startsWith('/codec/')) return next();
    const reason = crossOriginReason({
      origin: c.req.header('origin'),
      secFetchSite: c.req.header('sec-fetch-site'),
      host: c.req.header('host'),
    });
    if (reason)
      return problemResponse(
        c,
        problem(
          'cross-origin-refused',
          `${reason}; requests that change state are taken only from Tevis's own pages and from clients that are not browsers`,
        ),
      );
    return next();
  };
}
