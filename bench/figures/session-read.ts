import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { activeSession, type BenchContext, median, timeIt } from '../bench-context.js';

/** A session read against a bare Hono route, sequential requests over loopback. */
export async function benchSessionRead(ctx: BenchContext): Promise<void> {
  const session = await activeSession(ctx);
  const bare = new Hono().get('/x', (c) => c.json({ ok: true }));
  const bareServer = serve({ fetch: bare.fetch, port: 18183, hostname: '127.0.0.1' });
  const readTimes: number[] = [];
  const bareTimes: number[] = [];
  for (let i = 0; i < ctx.requests; i++) {
    bareTimes.push(await timeIt(() => fetch('http://127.0.0.1:18183/x').then((r) => r.json())));
    readTimes.push(await timeIt(() => ctx.call('GET', `/sessions/${session}`)));
  }
  bareServer.close();
  await ctx.call('POST', `/sessions/${session}/end`);
  ctx.results.add({
    name: 'GET /sessions/:id',
    figure: median(readTimes),
    baselineName: 'bare Hono route',
    baseline: median(bareTimes),
    unit: 'ms',
    rounds: ctx.requests,
  });
}
