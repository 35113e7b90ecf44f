import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { baselineActivities } from './baseline-activities.js';
import { bumpUpdate } from './workflows/counter.js';

/** A worker and a running counter workflow on their own task queue, for the baselines. */
export async function startTrivialWorkflowWorker(address: string) {
  const native = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: native,
    taskQueue: 'bench-baseline',
    workflowsPath: fileURLToPath(new URL('./workflows/index.ts', import.meta.url)),
    activities: baselineActivities,
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const handle = await client.workflow.start('counterWorkflow', {
    taskQueue: 'bench-baseline',
    workflowId: `bench-counter-${Date.now()}`,
  });
  let started = 0;
  return {
    async updateTwice() {
      await handle.executeUpdate(bumpUpdate);
      await handle.executeUpdate(bumpUpdate);
    },
    /** A bare workflow start, awaited to its end: its first task and one trivial activity. */
    async startOneActivity() {
      await client.workflow.execute('oneActivityWorkflow', {
        taskQueue: 'bench-baseline',
        workflowId: `bench-one-activity-${Date.now()}-${started++}`,
      });
    },
    async stop() {
      await handle.executeUpdate('done');
      worker.shutdown();
      await running;
      await connection.close();
      await native.close();
    },
  };
}
