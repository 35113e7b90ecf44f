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
  ctx.results.add({
    name: 'pause + resume via API',
    figure: median(updateTimes),
    baselineName: 'bare client: 2 Updates',
    baseline: median(bareUpdateTimes),
    unit: 'ms',
    rounds: ctx.rounds * 3,
  });

  // A switch is a pause of the active session and a resume of the chosen one: two Updates too.
  await ctx.call('POST', `/sessions/${session}/pause`);
  const other = await activeSession(ctx);
  const switchTimes: number[] = [];
  const bareSwitchTimes: number[] = [];
  for (let i = 0; i < ctx.rounds * 3; i++) {
    bareSwitchTimes.push(await timeIt(() => trivial.updateTwice()));
    const target = i % 2 === 0 ? session : other;
    switchTimes.push(await timeIt(() => ctx.call('POST', `/sessions/${target}/switch`, {})));
  }
  await trivial.stop();
  for (const id of [session, other]) await ctx.call('POST', `/sessions/${id}/end`);
  ctx.results.add({
    name: 'switch via API (pause A + resume B)',
    figure: median(switchTimes),
    baselineName: 'bare client: 2 Updates',
    baseline: median(bareSwitchTimes),
    unit: 'ms',
    rounds: ctx.rounds * 3,
  });
}
