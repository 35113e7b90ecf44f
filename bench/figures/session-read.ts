import { serve } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { sessions } from '../../db/schema.js';
import { activeSession, type BenchContext, median, timeIt } from '../bench-context.js';

/** Requests in flight at once for the throughput rows: a handful of open tabs, not a flood. */
const CONCURRENCY = 8;

/**
 * A session read against a bare Hono route that reads the same session's row from the same
 * database (the stack's own connection): sequential requests over loopback for the latency,
 * then CONCURRENCY requests at a time for the throughput.
 */
export async function benchSessionRead(ctx: BenchContext): Promise<void> {
  const session = await activeSession(ctx);
  const { db } = ctx.tevis.database;
  const bare = new Hono().get('/x', async (c) =>
    c.json((await db.select().from(sessions).where(eq(sessions.id, session)))[0]),
  );
  const bareServer = serve({ fetch: bare.fetch, port: 18183, hostname: '127.0.0.1' });
  const bareRead = () => fetch('http://127.0.0.1:18183/x').then((r) => r.json());
  const sessionRead = () => ctx.call('GET', `/sessions/${session}`);
  const readTimes: number[] = [];
  const bareTimes: number[] = [];
  for (let i = 0; i < ctx.requests; i++) {
    bareTimes.push(await timeIt(bareRead));
    readTimes.push(await timeIt(sessionRead));
  }
  const bareRate = await requestsPerSecond(bareRead, ctx.requests);
  const readRate = await requestsPerSecond(sessionRead, ctx.requests);
  bareServer.close();
  await ctx.call('POST', `/sessions/${session}/end`);
  const baselineName = 'bare Hono route reading one row';
  ctx.results.add({
    name: 'GET /sessions/:id',
    figure: median(readTimes),
    baselineName,
    baseline: median(bareTimes),
    unit: 'ms',
    rounds: ctx.requests,
  });
  ctx.results.add({
    name: `GET /sessions/:id, ${CONCURRENCY} at a time`,
    figure: readRate,
    baselineName,
    baseline: bareRate,
    unit: 'req/s',
    rounds: ctx.requests,
  });
}

/** `total` requests, CONCURRENCY in flight at a time; answers per second of wall time. */
async function requestsPerSecond(request: () => Promise<unknown>, total: number): Promise<number> {
  let started = 0;
  const worker = async () => {
    while (started < total) {
      started++;
      await request();
    }
  };
  const elapsed = await timeIt(() => Promise.all(Array.from({ length: CONCURRENCY }, worker)));
  return (total * 1000) / elapsed;
}
