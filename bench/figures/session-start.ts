import { join } from 'node:path';
import { type BenchContext, percentile, timeIt } from '../bench-context.js';
import { startTrivialWorkflowWorker } from '../trivial-workflow-worker.js';

/**
 * Session create → active, against what it is made of: a bare clone of the same repository
 * plus a bare workflow start awaited through one trivial activity, each round measured the same.
 */
export async function benchSessionStart(ctx: BenchContext): Promise<void> {
  const { call, git, remote, work } = ctx;
  const trivial = await startTrivialWorkflowWorker(ctx.tevis.temporalAddress);
  const sessionTimes: number[] = [];
  const bareTimes: number[] = [];
  for (let i = 0; i < ctx.rounds; i++) {
    const clone = await timeIt(() =>
      git(['clone', '-q', '--branch', 'main', '--', remote, join(work, `clone-${i}`)]),
    );
    bareTimes.push(clone + (await timeIt(() => trivial.startOneActivity())));
    let id = '';
    sessionTimes.push(
      await timeIt(async () => {
        const created = await call('POST', '/sessions', { project: 'bench' });
        id = created.id;
        for (;;) {
          const { events } = await call('GET', `/sessions/${created.id}/events?after=0`);
          if (events.some((e: { type: string }) => e.type === 'session.active')) break;
          await new Promise((r) => setTimeout(r, 10));
        }
      }),
    );
    await call('POST', `/sessions/${id}/end`);
  }
  await trivial.stop();
  for (const p of [50, 90]) {
    ctx.results.add({
      name: `session create → active p${p}`,
      figure: percentile(sessionTimes, p),
      baselineName: `bare clone + start + 1 activity p${p}`,
      baseline: percentile(bareTimes, p),
      unit: 'ms',
      rounds: ctx.rounds,
    });
  }
}
