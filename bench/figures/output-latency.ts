import { activeSession, type BenchContext, median, percentile } from '../bench-context.js';
import { delaysOf, pipeArrivals, sseLines, timestampScript } from '../line-arrivals.js';

/** How far apart the TPU prints its lines: a quiet TPU's, each one alone on its way. */
const GAP_MS = 50;

/**
 * P4: a line printed in a TPU (sandbox executor) until an SSE client has it, on the nanocycle's
 * log stream and on the session's output stream at once, against the same script's lines read
 * from a bare pipe by this process (no database, no notification, no HTTP).
 */
export async function benchOutputLatency(ctx: BenchContext): Promise<void> {
  const lines = ctx.rounds * 20;
  const script = timestampScript(lines, GAP_MS);
  const bare = await pipeArrivals(script);

  const session = await activeSession(ctx);
  const nc = await ctx.call('POST', `/sessions/${session}/nanocycles`, {
    name: 'output-latency',
    run: [script],
  });
  const base = ctx.tevis.apiUrl;
  const [logs, output] = await Promise.all([
    // And the step's own `$ …` line.
    sseLines(`${base}/sessions/${session}/nanocycles/${nc.id}/logs/stream`, ctx.token, lines + 1),
    sseLines(`${base}/sessions/${session}/output/stream`, ctx.token, lines + 1),
  ]);
  await Promise.all([logs.done, output.done]);
  await ctx.call('POST', `/sessions/${session}/end`);

  for (const [stream, arrivals] of [
    ['nanocycle logs', delaysOf(logs)],
    ['session output', delaysOf(output)],
  ] as const) {
    for (const p of [50, 99]) {
      ctx.results.add({
        name: `TPU line → SSE (${stream}) p${p}`,
        figure: p === 50 ? median(arrivals) : percentile(arrivals, p),
        baselineName: `bare pipe read p${p}`,
        baseline: p === 50 ? median(bare) : percentile(bare, p),
        unit: 'ms',
        rounds: arrivals.length,
      });
    }
  }
}
