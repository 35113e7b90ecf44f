import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { type BenchContext, median, timeIt } from '../bench-context.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Everything a browser fetches to show Mission Control, one after another, against the same
 * files from a bare Hono static server. (The vendored SSE parser is Tevis's own; the baseline
 * serves web/ only, so it fetches one file fewer.)
 */
export async function benchMissionControlFiles(ctx: BenchContext): Promise<void> {
  const webFiles = readdirSync(join(root, 'web')).filter((name) => /\.(html|js|css)$/.test(name));
  const staticApp = new Hono().use('/web/*', serveStatic({ root: relative(process.cwd(), root) || '.' }));
  const staticServer = serve({ fetch: staticApp.fetch, port: 18184, hostname: '127.0.0.1' });
  const pageTimes: number[] = [];
  const staticTimes: number[] = [];
  const fetchAll = async (base: string, paths: string[]) => {
    for (const path of paths) {
      const response = await fetch(base + path);
      if (!response.ok) throw new Error(`GET ${base}${path}: ${response.status}`);
      await response.arrayBuffer();
    }
  };
  const pagePaths = [
    '/',
    ...webFiles.filter((n) => n !== 'index.html').map((n) => `/web/${n}`),
    '/web/eventsource-parser.js',
  ];
  const webPaths = webFiles.map((n) => `/web/${n}`);
  for (let i = 0; i < ctx.rounds * 5; i++) {
    staticTimes.push(await timeIt(() => fetchAll('http://127.0.0.1:18184', webPaths)));
    pageTimes.push(await timeIt(() => fetchAll(ctx.tevis.apiUrl, pagePaths)));
  }
  staticServer.close();
  ctx.results.add({
    name: `Mission Control files (${pagePaths.length})`,
    figure: median(pageTimes),
    baselineName: `bare Hono serveStatic (${webFiles.length})`,
    baseline: median(staticTimes),
    unit: 'ms',
    rounds: ctx.rounds * 5,
  });
}
