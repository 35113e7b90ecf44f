import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerTpuExecutor } from '../../activities/tpu/docker-executor.js';
import { runTpu } from '../../activities/tpu/run-tpu.js';
import type { TpuHeartbeat, TpuRunInput, TpuRunResult } from '../../activities/tpu/tpu-spec.js';
import type { OpenDatabase } from '../../db/database.js';
import { listLogLines } from '../../db/nanocycle-logs-store.js';
import { nanocycles } from '../../db/schema.js';
import { startDockerEngine, type DockerEngine } from '../support/docker-engine.js';
import { waitFor } from '../support/poll.js';
import { openTpuSessionRecord, type TpuSessionRecord } from '../support/tpu-session-record.js';

/**
 * The engine stops answering in the middle of a run (this file's own dockerd is stopped): the
 * attempt fails, and the next attempt fails with tpu-engine-unreachable instead of running the
 * step anywhere else. A file of its own, because it ends its engine.
 */

const SESSION = 'sess_eng001';
const base = mkdtempSync(join(tmpdir(), 'tevis-engine-stops-'));
let engine: DockerEngine;
let database: OpenDatabase;
let record: TpuSessionRecord | undefined;

beforeAll(async () => {
  const [started, opened] = await Promise.all([
    startDockerEngine(),
    openTpuSessionRecord({ project: 'eng', sessionId: SESSION, repository: base }),
  ]);
  engine = started;
  record = opened;
  database = opened.database;
}, 300_000);

afterAll(async () => {
  await record?.close();
  await engine?.stop();
  rmSync(base, { recursive: true, force: true });
});

describe('an engine that stops answering mid-run', () => {
  it('fails the attempt, then each retry with tpu-engine-unreachable; the step never runs elsewhere', async () => {
    const worktree = join(base, 'NC-001');
    mkdirSync(worktree);
    await database.db
      .insert(nanocycles)
      .values({ sessionId: SESSION, id: 'NC-001', name: 'n', status: 'running', branch: 'feat/nc-001' });
    const input: TpuRunInput = {
      sessionId: SESSION,
      nanocycleId: 'NC-001',
      run: 1,
      runId: randomBytes(4).toString('hex'),
      worktreePath: worktree,
      image: engine.image,
      env: {},
      network: false,
      limits: { memoryMb: 256, cpus: 1, pids: 64 },
      timeoutSeconds: 60,
      steps: ['echo started', 'sleep 20', 'touch /workspace/finished'],
    };
    const executor = new DockerTpuExecutor(database.db, engine.docker, engine.dockerHost);
    const first = new MockActivityEnvironment({ attempt: 1 }, { logger: new DefaultLogger('ERROR') });
    let lastHeartbeat: TpuHeartbeat | undefined;
    first.on('heartbeat', (details: TpuHeartbeat) => (lastHeartbeat = details));
    const running = first.run(runTpu, executor, database.db, input);
    await waitFor(
      'the run to start',
      async () =>
        (await listLogLines(database.db, { sessionId: SESSION, nanocycleId: 'NC-001', limit: 10 })).some(
          (l) => l.line === 'started',
        ),
      { timeoutMs: 30_000 },
    );

    await engine.stop();
    // Stopping, the engine kills its containers: the attempt ends with that exit code, or fails
    // when the engine is gone before the end is read. Either way the step did not finish.
    const outcome: unknown = await running.then(
      (result) => result,
      (error: unknown) => error,
    );
    if (!(outcome instanceof Error)) {
      expect((outcome as TpuRunResult).executor).toBe('docker');
      expect((outcome as TpuRunResult).exitCode).not.toBe(0);
    }

    const retry = new MockActivityEnvironment(
      { attempt: 2, heartbeatDetails: lastHeartbeat },
      { logger: new DefaultLogger('ERROR') },
    );
    const failure = await retry.run(runTpu, executor, database.db, input).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'tpu-engine-unreachable', nonRetryable: false });
    expect(existsSync(join(worktree, 'finished'))).toBe(false);
    const [row] = await database.db.select().from(nanocycles).where(eq(nanocycles.id, 'NC-001'));
    // It started on docker, and nothing else is ever recorded for it.
    expect(row!.executor).toBe('docker');
  }, 120_000);
});
