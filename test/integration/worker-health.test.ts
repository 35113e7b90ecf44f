import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../support/free-port.js';
import { waitFor } from '../support/poll.js';
import { ProcessSet } from '../support/processes.js';
import { REPO_ROOT } from '../support/repo-paths.js';
import { type SplitStack, startSplitStack } from '../support/split-stack.js';

/**
 * bin/tevis-worker-health.js, the health check docker-compose.yml gives each worker host
 * (runtime/worker-health.ts), against a real `tevis worker`: unhealthy until the worker polls its
 * task queue, healthy while it does, unhealthy once it has stopped; a worker with no metrics
 * address cannot be checked and says so.
 */
const processes = new ProcessSet();
let root = '';
let stack: SplitStack | undefined;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tevis-worker-health-'));
  stack = await startSplitStack(root, 'worker-health');
});
afterAll(async () => {
  await processes.killAll();
  await stack?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

let checks = 0;
async function healthCheck(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  checks += 1;
  const check = processes.spawn(
    `health-${checks}`,
    process.execPath,
    [join(REPO_ROOT, 'bin', 'tevis-worker-health.js')],
    {
      env,
    },
  );
  const { code } = await check.exited;
  await check.closed;
  return { code, output: check.output() };
}

describe('the worker health check', () => {
  it('fails until the worker polls its task queue, passes while it does, fails once it stopped', async () => {
    const port = await freeLoopbackPort();
    // Bound to every interface, as in docker-compose.yml: the check reads it on loopback.
    const env = stack!.workerEnv(join(root, 'worker-home'), {
      TEVIS_WORKER_METRICS_ADDRESS: `0.0.0.0:${port}`,
    });

    const before = await healthCheck(env);
    expect(before.code).toBe(1);
    expect(before.output).toContain(`http://127.0.0.1:${port}/metrics does not answer`);

    const worker = processes.spawnTevis('worker', 'worker', env);
    const healthy = await waitFor(
      'the health check to pass',
      async () => {
        const result = await healthCheck(env);
        return result.code === 0 && result;
      },
      { alive: [worker] },
    );
    expect(healthy.output).toContain(`the worker polls task queue "${env.TEVIS_TASK_QUEUE}"`);

    expect((await worker.stop('SIGTERM')).code).toBe(0);
    const after = await healthCheck(env);
    expect(after.code).toBe(1);
    expect(after.output).toContain('does not answer');
  });

  it('a worker without TEVIS_WORKER_METRICS_ADDRESS cannot be checked, and the check says why', async () => {
    const result = await healthCheck(stack!.workerEnv(join(root, 'unset-home')));
    expect(result.code).toBe(1);
    expect(result.output).toContain('TEVIS_WORKER_METRICS_ADDRESS is not set');
  });
});
