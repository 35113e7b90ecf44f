import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';

const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const ASSETS = new Map([
  ['swagger-ui.css', 'text/css'],
  ['swagger-ui-bundle.js', 'text/javascript'],
]);

/**
 * Like Mission Control's: nothing from elsewhere and no inline script, so data in the OpenAPI
 * document can never become code. Swagger UI sets element styles from its script, hence inline
 * styles (not scripts) are allowed here.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tevis API reference</title>
<link rel="stylesheet" href="/reference/assets/swagger-ui.css">
<script src="/reference/assets/swagger-ui-bundle.js"></script>
<script type="module" src="/web/reference.js"></script></head>
<body><p id="no-token" hidden>This page needs the API token: open <code>/reference#token=&lt;token&gt;</code>
(the token is in <code>$TEVIS_HOME/api-token</code>), or log in to <a href="/">Mission Control</a> first.</p>
<div id="ui"></div></body></html>`;

/**
 * The interactive reference, served from the swagger-ui-dist package so it works offline. The page
 * and its files hold no data and need no token; the page's script (web/reference.js) sends the
 * token as a bearer header with every request, so no cookie is ever needed.
 */
export function referenceRoutes() {
  const app = new Hono();
  const headers = {
    'cache-control': 'no-cache',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  app.get('/reference', (c) => c.html(PAGE, 200, headers));
  app.get('/reference/assets/:name', async (c) => {
    const type = ASSETS.get(c.req.param('name'));
    if (!type) return c.notFound();
    return c.body(await readFile(join(swaggerDir, c.req.param('name'))), 200, {
      'content-type': type,
      'cache-control': 'max-age=3600',
      'x-content-type-options': 'nosniff',
    });
  });
  return app;
}
