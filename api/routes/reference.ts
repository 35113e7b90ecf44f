import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { TOKEN_COOKIE, tokensEqual } from '../auth.js';

const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const ASSETS = new Map([
  ['swagger-ui.css', 'text/css'],
  ['swagger-ui-bundle.js', 'text/javascript'],
]);

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tevis API reference</title>
<link rel="stylesheet" href="/reference/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/reference/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', withCredentials: true });</script>
</body></html>`;

/**
 * The interactive reference, served from the swagger-ui-dist package so it works offline. A
 * browser cannot send a bearer header: `/reference?token=…` trades the token for an HttpOnly
 * cookie once and redirects to a URL without it.
 */
export function referenceRoutes(token: string) {
  const app = new Hono();
  app.get('/reference', (c) => {
    const given = c.req.query('token');
    if (given !== undefined) {
      if (tokensEqual(given, token)) setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      return c.redirect('/reference', 303);
    }
    return c.html(PAGE);
  });
  app.get('/reference/assets/:name', async (c) => {
    const type = ASSETS.get(c.req.param('name'));
    if (!type) return c.notFound();
    return c.body(await readFile(join(swaggerDir, c.req.param('name'))), 200, { 'content-type': type, 'cache-control': 'max-age=3600' });
  });
  return app;
}
