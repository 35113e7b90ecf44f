import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { optionalTsToMs, tsToMs } from '@temporalio/common/lib/time.js';
import { Hono } from 'hono';
import { workflowCacheSize } from '../worker/session-worker.js';
import { type BenchContext, pause, percentile, timeIt } from './bench-context.js';

/**
 * P5: many open idle sessions on one worker. Opens N sessions (BENCH_IDLE, default 2000) on a
 * one-file repository, one project each (a project has one active session at a time), sampling
 * this process's RSS as they open: the stack runs in this process (the worker, the API and PGlite;
 * the Temporal dev server is its own process), so the slope is what one idle session costs
 * `tevis up`. Then `GET /sessions` (first page) beside a bare route, and inactivity timers that fall
 * due while the N are open, beside a plain setTimeout in the same process.
 * Bounded in time: it stops opening at BENCH_IDLE_SECONDS (default 480) and says how far it got.
 */

const N = Number(process.env.BENCH_IDLE || 2000);
const OPEN_SECONDS = Number(process.env.BENCH_IDLE_SECONDS || 480);
const BATCH = 50;
const TIMERS = 10;
const TIMER_SECONDS = 15;
const MB = 1024 * 1024;

const rssMb = () => process.memoryUsage().rss / MB;

// Garbage not yet collected would read as growth: each sample is taken right after a full GC.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Where the memory is: the JS heap; external memory, which holds PGlite's WebAssembly memory (and
 * array buffers); the rest is native (Temporal's core, the allocator).
 */
interface MemorySample {
  rss: number;
  heap: number;
  external: number;
}

function sampleMemory(): MemorySample {
  collectGarbage();
  const m = process.memoryUsage();
  return { rss: m.rss / MB, heap: m.heapUsed / MB, external: m.external / MB };
}

function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

async function countOpen(ctx: BenchContext, status: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await ctx.call('GET', `/sessions?status=${status}&limit=500${after}`);
    count += page.sessions.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

/** Opens a session in a new project of each name, BATCH at a time, each batch active before the next. */
async function openSessions(ctx: BenchContext, names: string[], timeout?: number): Promise<void> {
  await inParallel(names, 8, async (name) => {
    await ctx.call('POST', '/projects', { name, repository: `${ctx.work}/idle.git` });
    await ctx.call('POST', '/sessions', { project: name, ...(timeout ? { activeTimeout: timeout } : {}) });
  });
  while ((await countOpen(ctx, 'starting')) > 0) await pause(250);
}

function tinyRepository(ctx: BenchContext): void {
  const source = `${ctx.work}/idle-source`;
  ctx.git(['init', '-q', '-b', 'main', source]);
  ctx.git(
    ['-c', 'user.email=bench@tevis', '-c', 'user.name=bench', 'commit', '-q', '--allow-empty', '-m', 'idle'],
    source,
  );
  ctx.git(['clone', '-q', '--bare', source, `${ctx.work}/idle.git`]);
}

export async function benchIdleSessions(ctx: BenchContext): Promise<void> {
  tinyRepository(ctx);
  // One session first, so what every session shares (the workflow bundle, the first clone) is in the baseline.
  await openSessions(ctx, ['idle-warm']);
  const first = sampleMemory();
  const baseline = first.rss;
  const samples: Array<[number, number]> = [[1, baseline]];
  const parts: Array<[number, MemorySample]> = [[1, first]];
  const deadline = Date.now() + OPEN_SECONDS * 1000;
  let opened = 1;
  while (opened < N && Date.now() < deadline) {
    const batch = Array.from({ length: Math.min(BATCH, N - opened) }, (_, i) => `idle-${opened + i}`);
    await openSessions(ctx, batch);
    opened += batch.length;
    const memory = sampleMemory();
    samples.push([opened, memory.rss]);
    parts.push([opened, memory]);
    if (Math.floor(opened / 250) > Math.floor((opened - batch.length) / 250) || opened === N)
      console.log(`  ${opened} idle sessions open, RSS ${rssMb().toFixed(0)} MB`);
  }
  const open = await countOpen(ctx, 'active');
  const perSession = slope(samples);
  // Below the workflow cache's size every session also holds its workflow in memory; above it, not.
  const cache = workflowCacheSize();
  const within = samples.filter(([n]) => n <= cache);
  const beyond = samples.filter(([n]) => n >= cache);
  // What each further session costs once the cache is full: what 10,000 is estimated with.
  const further = beyond.length > 1 ? slope(beyond) : perSession;
  if (within.length > 1 && beyond.length > 1)
    console.log(
      `  slope ${slope(within).toFixed(3)} MB a session up to the workflow cache's ${cache}, ${slope(beyond).toFixed(3)} MB beyond it`,
    );
  const rss = rssMb();
  const partsBeyond = parts.filter(([n]) => n >= cache);
  if (partsBeyond.length > 1) {
    const per = (key: keyof MemorySample) => slope(partsBeyond.map(([n, m]) => [n, m[key]]));
    const other = per('rss') - per('heap') - per('external');
    console.log(
      `  beyond the cache, a session costs ${per('rss').toFixed(3)} MB of RSS: JS heap ${per('heap').toFixed(3)}, external (PGlite's WebAssembly memory, buffers) ${per('external').toFixed(3)}, the rest (native: Temporal's core, allocator) ${other.toFixed(3)}`,
    );
  }

  // Inactivity timers that fall due now, with every idle session open.
  const timerNames = Array.from({ length: TIMERS }, (_, i) => `timer-${i}`);
  await openSessions(ctx, timerNames, TIMER_SECONDS);
  const loopLate: number[] = [];
  const timerEnd = Date.now() + (TIMER_SECONDS + 5) * 1000;
  while (Date.now() < timerEnd) {
    const asked = performance.now();
    await pause(1000);
    loopLate.push(performance.now() - asked - 1000);
  }

  const bare = new Hono().get('/x', (c) => c.json({ ok: true }));
  // Port 0: whichever is free, so this runs beside the other figures' bare routes.
  const bareServer = serve({ fetch: bare.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => bareServer.once('listening', resolve));
  const barePort = (bareServer.address() as AddressInfo).port;
  const listTimes: number[] = [];
  const bareTimes: number[] = [];
  for (let i = 0; i < ctx.requests; i++) {
    bareTimes.push(await timeIt(() => fetch(`http://127.0.0.1:${barePort}/x`).then((r) => r.json())));
    listTimes.push(await timeIt(() => ctx.call('GET', '/sessions')));
  }
  bareServer.close();

  const connection = await Connection.connect({ address: ctx.tevis.temporalAddress });
  const temporal = new Client({ connection });
  const fired: number[] = [];
  const written: number[] = [];
  for (const name of timerNames) {
    const [session] = (await ctx.call('GET', `/sessions?project=${name}&all=true`)).sessions;
    let events: Array<{ type: string; at: string; data: { reason?: string } }> = [];
    for (let tries = 0; tries < 120; tries++) {
      events = (await ctx.call('GET', `/sessions/${session.id}/events`)).events;
      if (events.some((e) => e.type === 'session.ending')) break;
      await pause(500);
    }
    const ending = events.find((e) => e.type === 'session.ending');
    if (ending?.data.reason !== 'inactivity') throw new Error(`${session.id} did not time out`);
    // Due: when the workflow started its inactivity timer, plus the timeout (Temporal's own record).
    const history = await temporal.workflow.getHandle(`session-${session.id}`).fetchHistory();
    const started = [...(history.events ?? [])]
      .reverse()
      .find(
        (e) => optionalTsToMs(e.timerStartedEventAttributes?.startToFireTimeout) === TIMER_SECONDS * 1000,
      );
    const timerFired = history.events?.find(
      (e) => e.timerFiredEventAttributes?.timerId === started?.timerStartedEventAttributes?.timerId,
    );
    if (!started || !timerFired) throw new Error(`${session.id}: no inactivity timer in its history`);
    const due = tsToMs(started.eventTime) + TIMER_SECONDS * 1000;
    fired.push(tsToMs(timerFired.eventTime) - due);
    written.push(Date.parse(ending.at) - due);
  }
  await connection.close();

  console.log(
    `  ${open} idle sessions open (${opened} asked${opened < N ? `, stopped at the ${OPEN_SECONDS} s bound` : ''}); RSS ${baseline.toFixed(0)} → ${rss.toFixed(0)} MB; slope ${perSession.toFixed(3)} MB a session; 10,000 would need ~${(rss + further * (10_000 - open)).toFixed(0)} MB`,
  );
  console.log(`  inactivity timers fired late by ${fired.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  console.log(`  session.ending written late by ${written.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  ctx.results.add({
    name: `RSS, ${open} idle sessions`,
    figure: rss,
    baselineName: 'RSS, 1 session',
    baseline,
    unit: 'MB',
    rounds: samples.length,
  });
  for (const p of [50, 99]) {
    ctx.results.add({
      name: `GET /sessions p${p}, ${open} open`,
      figure: percentile(listTimes, p),
      baselineName: `bare Hono route p${p}`,
      baseline: percentile(bareTimes, p),
      unit: 'ms',
      rounds: ctx.requests,
    });
  }
  ctx.results.add({
    name: 'inactivity timer fired after due, max',
    figure: Math.max(...fired),
    baselineName: 'setTimeout lateness, max',
    baseline: Math.max(...loopLate),
    unit: 'ms',
    rounds: TIMERS,
  });
  ctx.results.add({
    name: 'session.ending written after due, max',
    figure: Math.max(...written),
    baselineName: 'setTimeout lateness, max',
    baseline: Math.max(...loopLate),
    unit: 'ms',
    rounds: TIMERS,
  });
}
