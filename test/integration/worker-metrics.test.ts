import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../support/free-port.js';
import { waitFor } from '../support/poll.js';
import { ProcessSet } from '../support/processes.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { type SplitStack, startSplitStack } from '../support/split-stack.js';

/**
 * TEVIS_WORKER_METRICS_ADDRESS (runtime/worker-runtime.ts) on real `tevis worker` processes: the
 * Temporal SDK's own metrics are served there, for the worker's task queue (off by default:
 * test/unit/worker-metrics-address.test.ts); an address the exporter cannot take stops the worker at startup with the setting named.
 */
const processes = new ProcessSet();
let root = '';
let stack: SplitStack | undefined;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tevis-worker-metrics-'));
  stack = await startSplitStack(root, 'worker-metrics');
});
afterAll(async () => {
  await processes.killAll();
  await stack?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

const scrape = async (address: string) => {
  const reply = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(10_000) });
  return reply.ok ? reply.text() : undefined;
};

describe('the worker serves the Temporal SDK metrics', () => {
  it('at TEVIS_WORKER_METRICS_ADDRESS: temporal_ series for its own task queue', async () => {
    const address = `127.0.0.1:${await freeLoopbackPort()}`;
    const env = stack!.workerEnv(join(root, 'worker-home'), { TEVIS_WORKER_METRICS_ADDRESS: address });
    const worker = processes.spawnTevis('worker', 'worker', env);
    const samples = await waitFor(
      'temporal_ series for the task queue at the worker metrics address',
      async () => {
        const text = await scrape(address).catch(() => undefined);
        const parsed = text ? parsePrometheusText(text) : [];
        const ours = parsed.filter(
          (s) => s.name.startsWith('temporal_') && s.labels.task_queue === env.TEVIS_TASK_QUEUE,
        );
        // temporal_worker_start is exported the moment the worker is made, the pollers' gauge
        // only once each kind of poller runs: the wait is for the pollers, not for any series.
        const kinds = new Set(
          ours.filter((s) => s.name === 'temporal_num_pollers').map((s) => s.labels.poller_type),
        );
        return kinds.has('workflow_task') && kinds.has('activity_task') && ours;
      },
      { alive: [worker] },
    );
    const pollers = samples.filter((s) => s.name === 'temporal_num_pollers');
    expect(pollers.every((s) => s.value > 0 && s.labels.namespace === 'default')).toBe(true);
    // The SDK's runtime with its exporter installed still lets the worker stop cleanly.
    expect((await worker.stop('SIGTERM')).code).toBe(0);
  });

  it('a host name or a busy port stops the worker at startup, naming the setting', async () => {
    const byName = processes.spawnTevis(
      'named-worker',
      'worker',
      stack!.workerEnv(join(root, 'named-home'), { TEVIS_WORKER_METRICS_ADDRESS: 'localhost:9464' }),
    );
    expect((await byName.exited).code).not.toBe(0);
    expect(byName.output()).toContain('TEVIS_WORKER_METRICS_ADDRESS must be an IP address and port');

    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const taken = processes.spawnTevis(
        'busy-worker',
        'worker',
        stack!.workerEnv(join(root, 'busy-home'), { TEVIS_WORKER_METRICS_ADDRESS: `127.0.0.1:${port}` }),
      );
      expect((await taken.exited).code).not.toBe(0);
      await taken.closed;
      expect(taken.output()).toContain(
        `TEVIS_WORKER_METRICS_ADDRESS=127.0.0.1:${port}: the worker cannot serve its metrics there`,
      );
    } finally {
      busy.close();
    }
  });
});
