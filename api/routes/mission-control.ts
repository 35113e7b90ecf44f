import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from '@hono/zod-openapi';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { jsonResponse } from '../schemas.js';
import { problem, problemResponse } from '../problem.js';

const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
/** The page loads nothing from elsewhere and runs no inline script: data can never become code. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Libraries the page imports, served from their packages (ESM builds with no imports of their own). */
const require = createRequire(import.meta.url);
const VENDOR = new Map([
  ['eventsource-parser.js', join(dirname(require.resolve('eventsource-parser')), 'index.js')],
  // One wording for the CLI and the page: the contract itself is plain JavaScript.
  ...[
    'nanocycle-status-words.js',
    'acp-line-text.js',
    'acp-text-parts.js',
    'agent-request-view.js',
    'agent-option-picks.js',
  ].map(
    (name) => [name, fileURLToPath(new URL(`../../contracts/${name}`, import.meta.url))] as [string, string],
  ),
]);

/** Only what is in web/ at start and the vendored files, by exact name: no path from a request ever reaches the disk. */
const ASSETS = new Map<string, string>([
  ...readdirSync(WEB_DIR)
    .filter((name) => TYPES[extname(name)] !== undefined)
    .map((name) => [name, join(WEB_DIR, name)] as [string, string]),
  ...VENDOR,
]);

export const UiConfig = z
  .object({ temporalUi: z.object({ url: z.string(), namespace: z.string() }).nullable() })
  .openapi('UiConfig');

/**
 * Mission Control: a static page and its small scripts, served without the token (they hold no
 * data); everything they show comes from the API with the token the person gave the page.
 */
export function missionControlRoutes(options: { temporalUi: { url: string; namespace: string } | null }) {
  const app = openApiRouter();
  const serve = async (name: string) => {
    const body = await readFile(ASSETS.get(name)!);
    return new Response(body, {
      headers: {
        'content-type': TYPES[extname(name)]!,
        'cache-control': 'no-cache',
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      },
    });
  };
  app.get('/', () => serve('index.html'));
  app.get('/web/:name', (c) =>
    ASSETS.has(c.req.param('name'))
      ? serve(c.req.param('name'))
      : problemResponse(c, problem('not-found', `no file ${c.req.param('name')} in Mission Control`)),
  );

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/ui-config',
        tags: ['mission control'],
        summary: 'What Mission Control needs beyond the API: where the Temporal Web UI is',
        responses: { 200: jsonResponse(UiConfig, 'Config') },
      },
      { answersWithoutServices: true },
    ),
    (c) => c.json({ temporalUi: options.temporalUi }, 200),
  );
  return app;
}
