import { activeSession, type BenchContext, median, timeIt } from '../bench-context.js';
import { startTrivialWorkflowWorker } from '../trivial-workflow-worker.js';

/** Session Updates through the API against bare client Updates on a trivial workflow. */
export async function benchSessionCommands(ctx: BenchContext): Promise<void> {
  const session = await activeSession(ctx);
  const trivial = await startTrivialWorkflowWorker(ctx.tevis.temporalAddress);
  const updateTimes: number[] = [];
  const bareUpdateTimes: number[] = [];
  for (let i = 0; i < ctx.rounds * 3; i++) {
    bareUpdateTimes.push(await timeIt(() => trivial.updateTwice()));
    updateTimes.push(
      await timeIt(async () => {
        await ctx.call('POST', `/sessions/${session}/pause`);
        await ctx.call('POST', `/sessions/${session}/resume`);
      }),
    );
  }
  await trivial.stop();
  await ctx.call('POST', `/sessions/${session}/end`);
  ctx.results.add({
    name: 'pause + resume via API',
    figure: median(updateTimes),
    baselineName: 'bare client: 2 Updates',
    baseline: median(bareUpdateTimes),
    unit: 'ms',
    rounds: ctx.rounds * 3,
  });
}
