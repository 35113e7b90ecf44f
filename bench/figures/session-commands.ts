import { executeStampedUpdate } from '../../api/command-stamp.js';
import { sessionWorkflowId } from '../../contracts/ids.js';
import { connectTemporalClient } from '../../runtime/run-parts.js';
import { pauseUpdate, resumeUpdate } from '../../workflows/session-messages.js';
import { activeSession, type BenchContext, median, timeIt } from '../bench-context.js';
import { startTrivialWorkflowWorker } from '../trivial-workflow-worker.js';

/**
 * Session Updates through the API against bare client Updates on a trivial workflow; and the same
 * two Updates sent to the session's workflow straight from a client, sealed and stamped as the
 * API sends them, which splits the API's share of the difference from the workflow's (its checks
 * and the record write the Update waits for).
 */
export async function benchSessionCommands(ctx: BenchContext): Promise<void> {
  const session = await activeSession(ctx);
  const trivial = await startTrivialWorkflowWorker(ctx.tevis.temporalAddress);
  const client = await connectTemporalClient(ctx.config, ctx.tevis.temporalAddress);
  const handle = client.workflow.getHandle(sessionWorkflowId(session));
  const updateTimes: number[] = [];
  const directTimes: number[] = [];
  const bareUpdateTimes: number[] = [];
  for (let i = 0; i < ctx.rounds * 3; i++) {
    bareUpdateTimes.push(await timeIt(() => trivial.updateTwice()));
    updateTimes.push(
      await timeIt(async () => {
        await ctx.call('POST', `/sessions/${session}/pause`);
        await ctx.call('POST', `/sessions/${session}/resume`);
      }),
    );
    directTimes.push(
      await timeIt(async () => {
        await executeStampedUpdate(handle, session, pauseUpdate, []);
        await executeStampedUpdate(handle, session, resumeUpdate, []);
      }),
    );
  }
  await client.connection.close();
  ctx.results.add({
    name: 'pause + resume via API',
    figure: median(updateTimes),
    baselineName: 'bare client: 2 Updates',
    baseline: median(bareUpdateTimes),
    unit: 'ms',
    rounds: ctx.rounds * 3,
  });
  ctx.results.add({
    name: 'pause + resume, session Updates alone',
    figure: median(directTimes),
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
