import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { DockerTpuExecutor } from '../../activities/tpu/docker-executor.js';
import { removeTpuContainer } from '../../activities/tpu/remove-tpu-container.js';
import { runTpu } from '../../activities/tpu/run-tpu.js';
import { tpuContainerSpec } from '../../activities/tpu/tpu-container-spec.js';
import type { TpuRunInput } from '../../activities/tpu/tpu-spec.js';
import { tpuIdentity } from '../../activities/tpu/worktree-owner.js';
import { openDatabase } from '../../db/database.js';
import { nanocycles, projects, sessions } from '../../db/schema.js';
import { startDockerEngine } from '../../test/support/docker-engine.js';
import { type BenchContext, median } from '../bench-context.js';

const SESSION = 'bench-tpu-start';

/**
 * P3: a TPU run on the Docker executor from the activity's start (`runTpu`, what a worker calls
 * once the run is dequeued) until the engine says the container started (its StartedAt), against
 * bare dockerode create + start of the same image and container spec until its StartedAt. Also
 * how many engine calls each made before the container was running.
 *
 * Needs a Docker engine: it starts its own as the tests do (test/support/docker-engine.ts: dockerd
 * on its own socket, no bridge, no iptables); where none can start, it says so and measures nothing.
 */
export async function benchTpuStart(ctx: BenchContext): Promise<void> {
  // The running stack made this process's umask private (runtime/private-home.ts); the image's
  // root filesystem is built here and must stay readable by the TPU's user.
  const umask = process.umask(0o022);
  const engine = await startDockerEngine()
    .catch((error: Error) => {
      console.log(`tpu-start: skipped, no Docker engine could start here (${error.message.split('\n')[0]})`);
      return null;
    })
    .finally(() => process.umask(umask));
  if (!engine) return;
  const database = await openDatabase({});
  try {
    const { db } = database;
    await db
      .insert(projects)
      .values({ name: 'bench', repository: ctx.remote, defaultBranch: 'main', settings: {} as never });
    await db.insert(sessions).values({
      id: SESSION,
      project: 'bench',
      type: 'development',
      branch: 'main',
      status: 'active',
      config: {} as never,
    });
    const calls = countEngineCalls(engine.docker);
    const executor = new DockerTpuExecutor(db, engine.docker, engine.dockerHost);
    const tevisTimes: number[] = [];
    const bareTimes: number[] = [];
    const tevisCalls: number[] = [];
    const bareCalls: number[] = [];
    for (let i = 0; i < ctx.rounds; i++) {
      const id = `NC-${String(i + 1).padStart(3, '0')}`;
      const worktree = join(ctx.work, 'tpu-start', id);
      await mkdir(worktree, { recursive: true });
      await db.insert(nanocycles).values({ sessionId: SESSION, id, name: id, status: 'running', branch: id });
      const input = tpuInput(id, worktree, engine.image);

      const bareName = `tevis-bench-bare-${i}`;
      calls.reset();
      const bareFrom = Date.now();
      const bare = await engine.docker.createContainer(tpuContainerSpec(input, bareName, tpuIdentity()));
      await bare.start();
      const bareCount = calls.count;
      const bareStarted = new Date((await bare.inspect()).State.StartedAt).getTime();
      bareTimes.push(bareStarted - bareFrom);
      bareCalls.push(bareCount);
      await bare.wait();
      await removeTpuContainer(engine.docker, bareName);

      calls.reset();
      const tevisFrom = Date.now();
      const result = await runTpu(executor, db, input);
      const started = new Date(result.startedAt).getTime();
      tevisTimes.push(started - tevisFrom);
      tevisCalls.push(calls.before(started));
      if (result.containerName) await executor.release(result.containerName);
    }
    ctx.results.add({
      name: 'TPU start → container running (docker)',
      figure: median(tevisTimes),
      baselineName: 'bare dockerode create + start',
      baseline: median(bareTimes),
      unit: 'ms',
      rounds: ctx.rounds,
    });
    ctx.results.add({
      name: 'engine calls until running',
      figure: median(tevisCalls),
      baselineName: 'bare dockerode create + start',
      baseline: median(bareCalls),
      unit: 'calls',
      rounds: ctx.rounds,
    });
  } finally {
    await database.close();
    await engine.stop();
  }
}

function tpuInput(nanocycleId: string, worktree: string, image: string): TpuRunInput {
  return {
    sessionId: SESSION,
    nanocycleId,
    run: 1,
    runId: nanocycleId,
    worktreePath: worktree,
    image,
    env: {},
    network: false,
    limits: { memoryMb: 256, cpus: 1, pids: 64 },
    timeoutSeconds: 60,
    steps: ['true'],
  } as TpuRunInput;
}

/** Counts the HTTP requests dockerode makes, each stamped when it was sent. */
function countEngineCalls(docker: Docker) {
  const modem = docker.modem as unknown as { dial: (...args: unknown[]) => unknown };
  const dial = modem.dial.bind(modem);
  let sent: number[] = [];
  modem.dial = (...args: unknown[]) => {
    sent.push(Date.now());
    return dial(...args);
  };
  return {
    reset: () => {
      sent = [];
    },
    get count() {
      return sent.length;
    },
    /** Requests sent no later than `at` (the container's start, by the engine's clock). */
    before: (at: number) => sent.filter((t) => t <= at).length,
  };
}
