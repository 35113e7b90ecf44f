import { join } from 'node:path';
import { type BenchContext, median, timeIt } from '../bench-context.js';

/** Session create → active, against a bare clone of the same repository. */
export async function benchSessionStart(ctx: BenchContext): Promise<void> {
  const { call, git, remote, work } = ctx;
  const sessionTimes: number[] = [];
  const cloneTimes: number[] = [];
  for (let i = 0; i < ctx.rounds; i++) {
    cloneTimes.push(
      await timeIt(() => git(['clone', '-q', '--branch', 'main', '--', remote, join(work, `clone-${i}`)])),
    );
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
  ctx.results.add({
    name: 'session create → active',
    figure: median(sessionTimes),
    baselineName: 'bare git clone',
    baseline: median(cloneTimes),
    unit: 'ms',
    rounds: ctx.rounds,
  });
}
