import { CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { SessionActivities } from '../activities/index.js';
import type { AgentPermissionAsked } from '../activities/next-agent-permission.js';
import type { RunStdinLine } from '../activities/tpu/run-stdin.js';
import { permissionReason } from '../contracts/agent-permission-line.js';
import { optionFor } from '../contracts/agent-permission.js';
import { agentPermissionWaitOptions } from './activity-options.js';
import type { NanocycleReporter } from './nanocycle-reporter.js';
import type { TpuRunRequest, TpuRunResult } from './tpu-run-request.js';

type HostActivities = Pick<SessionActivities, 'runTpu' | 'tellAgent'>;

/**
 * One prompt turn of an ACP agent: its TPU run, and meanwhile each permission request it makes
 * becomes an `agent` hold point whose answer is written to the runner's stdin. The turn is over
 * when the run is; a cancel of the nanocycle cancels the run, whose runner cancels the agent's
 * turn (activities/tpu/run-stdin.ts), and is waited for so the record holds how it ended.
 */
export async function runAgentTurn(
  request: TpuRunRequest,
  host: HostActivities,
  reporter: NanocycleReporter,
): Promise<TpuRunResult> {
  const permissions = proxyActivities<SessionActivities>(agentPermissionWaitOptions(request.timeoutSeconds));
  const ids = { sessionId: request.sessionId, nanocycleId: request.nanocycleId };
  const run = host.runTpu(request);
  // Resolves (never rejects) when the run is over; the run's own promise carries its outcome.
  const over = run.then(
    () => null,
    () => null,
  );
  let afterSeq = 0;
  let holds = 0;
  try {
    for (;;) {
      const watch = new CancellationScope();
      const asked = watch.run(() => permissions.nextAgentPermission({ ...ids, run: request.run, afterSeq }));
      const next = await Promise.race([over, asked]);
      if (next === null) {
        watch.cancel();
        asked.catch(() => {});
        return await run;
      }
      afterSeq = next.seq;
      const decided = decide(next, next.request ? ++holds : holds, reporter);
      const line = await Promise.race([over.then(() => 'over' as const), decided]);
      if (line === 'over') return await run;
      if (line === null) continue;
      await host.tellAgent({ ...ids, runId: request.runId, attempt: next.attempt, line });
      if (next.request) await reporter.record('running', null, { run: request.run });
    }
  } catch (error) {
    if (isCancellation(error)) await over;
    throw error;
  }
}

/** A person's answer (approve or reject) as one of the agent's options, `cancelled` when none fits. */
async function decide(
  asked: AgentPermissionAsked,
  holdNumber: number,
  reporter: NanocycleReporter,
): Promise<RunStdinLine | null> {
  // A line that did not fit opens no hold point: its request, if it names one, is dismissed.
  if (!asked.request) return asked.requestId ? { cancelled: true, requestId: asked.requestId } : null;
  const request = asked.request;
  const answer = await reporter.ask('agent', permissionReason(request), holdNumber, request);
  const option = optionFor(request, answer.decision, answer.option);
  const requestId = request.requestId;
  // The person's comment travels with the answer; the runner hands it to the agent.
  const comment = answer.comment ? { comment: answer.comment } : {};
  return option
    ? { optionId: option.optionId, requestId, ...comment }
    : { cancelled: true, requestId, ...comment };
}
