import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskUsed } from '../../activities/tpu/disk-watch.js';
import { DockerTpuExecutor } from '../../activities/tpu/docker-executor.js';
import { runTpu } from '../../activities/tpu/run-tpu.js';
import { SandboxTpuExecutor } from '../../activities/tpu/sandbox-executor.js';
import type { TpuExecutor } from '../../activities/tpu/tpu-executor.js';
import type { TpuRunInput } from '../../activities/tpu/tpu-spec.js';
import type { OpenDatabase } from '../../db/database.js';
import { listLogLines } from '../../db/nanocycle-logs-store.js';
import { nanocycles } from '../../db/schema.js';
import { ensureBubblewrap } from '../support/bubblewrap.js';
import { startDockerEngine, type DockerEngine } from '../support/docker-engine.js';
import { openTpuSessionRecord, type TpuSessionRecord } from '../support/tpu-session-record.js';

/**
 * What a hostile TPU cannot do, on both executors against the real things (a dockerd of this
 * file's own, bubblewrap, the suite's Postgres). Each test gives the TPU the host's absolute paths
 * and a reason to try, then proves on the host that nothing happened: no secret in the record, no
 * file written, no connection seen, the disk bounded.
 */

const SESSION = 'sess_sec001';
const base = mkdtempSync(join(tmpdir(), 'tevis-sec-'));
/** Stands for $TEVIS_HOME: the API token is in it. */
const home = join(base, 'home');
const token = `token-${randomBytes(16).toString('hex')}`;
/** Another session's workspace, with a file only that session should see. */
const otherWorkspace = join(home, 'workspaces', 'sess_other', 'work');
const otherSecret = `other-${randomBytes(8).toString('hex')}`;
/** A secret in the worker's own environment. */
const envSecretName = 'TEVIS_TEST_WORKER_SECRET';
const envSecret = `envsecret-${randomBytes(8).toString('hex')}`;

let engine: DockerEngine;
let bwrap = '';
let database: OpenDatabase;
let record: TpuSessionRecord | undefined;
let listener: Server;
let listenerPort = 0;
let connectionsSeen = 0;
let counter = 0;

beforeAll(async () => {
  mkdirSync(otherWorkspace, { recursive: true });
  writeFileSync(join(home, 'api-token'), `${token}\n`, { mode: 0o600 });
  writeFileSync(join(otherWorkspace, 'secret.txt'), `${otherSecret}\n`);
  process.env[envSecretName] = envSecret;
  listener = createServer((socket) => {
    connectionsSeen += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerPort = (listener.address() as { port: number }).port;

  const [started, opened, bwrapPath] = await Promise.all([
    startDockerEngine(),
    openTpuSessionRecord({ project: 'sec', sessionId: SESSION, repository: base }),
    ensureBubblewrap(),
  ]);
  engine = started;
  bwrap = bwrapPath;
  record = opened;
  database = opened.database;
}, 300_000);

afterAll(async () => {
  delete process.env[envSecretName];
  await new Promise((resolve) => listener?.close(resolve));
  await record?.close();
  await engine?.stop();
  rmSync(base, { recursive: true, force: true });
});

async function nanocycle(): Promise<{ id: string; worktree: string }> {
  counter += 1;
  const id = `NC-${String(counter).padStart(3, '0')}`;
  const worktree = join(home, 'workspaces', SESSION, 'nanocycles', id);
  mkdirSync(worktree, { recursive: true });
  writeFileSync(join(worktree, 'README.md'), 'the worktree\n');
  await database.db
    .insert(nanocycles)
    .values({ sessionId: SESSION, id, name: id, status: 'running', branch: `feat/${id.toLowerCase()}` });
  return { id, worktree };
}

function input(nc: { id: string; worktree: string }, steps: string[], diskMb = 64): TpuRunInput {
  return {
    sessionId: SESSION,
    nanocycleId: nc.id,
    run: 1,
    runId: randomBytes(4).toString('hex'),
    worktreePath: nc.worktree,
    image: engine.image,
    env: {},
    network: false,
    limits: { memoryMb: 256, cpus: 1, pids: 64, diskMb },
    timeoutSeconds: 60,
    steps,
  };
}

async function recordOf(nanocycleId: string): Promise<string> {
  const lines = await listLogLines(database.db, { sessionId: SESSION, nanocycleId, limit: 100_000 });
  return lines.map((l) => l.line).join('\n');
}

const kinds = ['docker', 'sandbox'] as const;

describe.each(kinds)('a hostile TPU on the %s executor', (kind) => {
  const executor = (): TpuExecutor =>
    kind === 'docker'
      ? new DockerTpuExecutor(database.db, engine.docker, engine.dockerHost)
      : new SandboxTpuExecutor(database.db, bwrap);

  it("cannot read the API token, another workspace, or the worker's environment", async () => {
    const nc = await nanocycle();
    const result = await runTpu(
      executor(),
      database.db,
      input(nc, [
        `cat ${home}/api-token; cat ${home}/*; ls -la ${home}; true`,
        `cat ${otherWorkspace}/secret.txt; ls ${join(home, 'workspaces')}; true`,
        `cat /proc/${process.pid}/environ; cat /proc/${process.ppid}/environ; true`,
        // Every process the TPU can see, and its own environment.
        `for p in /proc/[0-9]*; do tr '\\0' '\\n' < $p/environ; done 2>/dev/null; env; true`,
        `grep -r ${envSecretName} /proc/*/environ 2>/dev/null; echo searched`,
        `cat /root/.bash_history /etc/shadow 2>&1; true`,
      ]),
    );
    expect(result.exitCode).toBe(0);
    const record = await recordOf(nc.id);
    expect(record).toContain('searched');
    expect(record).not.toContain(token);
    expect(record).not.toContain(otherSecret);
    expect(record).not.toContain(envSecret);
    // Not even the worker's PATH: pid 1 of the sandbox is bwrap, started with a fixed environment.
    expect(record).not.toContain(process.env.PATH!);
  });

  it('cannot write outside its worktree', async () => {
    const nc = await nanocycle();
    const planted = join(base, `planted-${kind}`);
    const result = await runTpu(
      executor(),
      database.db,
      input(nc, [
        `echo pwned > ${planted}; echo pwned > ${otherWorkspace}/secret.txt; echo pwned >> ${home}/api-token; true`,
        `echo pwned > /tmp/x; echo pwned > /etc/passwd; echo pwned > /usr/planted; true`,
        'echo mine > /workspace/mine.txt',
      ]),
    );
    expect(result.exitCode).toBe(0);
    expect(existsSync(planted)).toBe(false);
    expect(readFileSync(join(otherWorkspace, 'secret.txt'), 'utf8')).toBe(`${otherSecret}\n`);
    expect(readFileSync(join(home, 'api-token'), 'utf8')).toBe(`${token}\n`);
    expect(existsSync('/usr/planted')).toBe(false);
    expect(readFileSync('/etc/passwd', 'utf8')).not.toContain('pwned');
    // The one place it may write.
    expect(readFileSync(join(nc.worktree, 'mine.txt'), 'utf8')).toBe('mine\n');
  });

  it("cannot reach a listener on the host's loopback", async () => {
    const nc = await nanocycle();
    const before = connectionsSeen;
    await runTpu(
      executor(),
      database.db,
      input(nc, [
        `wget -T 2 -q -O - http://127.0.0.1:${listenerPort}/ ; true`,
        `nc -w 2 127.0.0.1 ${listenerPort} </dev/null; true`,
        `node -e "require('net').connect(${listenerPort},'127.0.0.1').on('connect',()=>console.log('connected')).on('error',(e)=>console.log('refused',e.code))" 2>/dev/null; true`,
        'echo tried',
        'echo "uid=$(id -u) gid=$(id -g)"',
        'tail -n +3 /proc/net/dev | while read name rest; do echo "iface=${name%:}"; done',
        'grep "^CapEff:" /proc/self/status | tr -d "\\t"',
      ]),
    );
    const record = await recordOf(nc.id);
    // The worker runs as root here: the TPU runs as the unprivileged 10001, with only its own loopback.
    expect(record).toContain('uid=10001 gid=10001');
    expect(record.split('\n').filter((l) => l.startsWith('iface='))).toEqual(['iface=lo']);
    expect(record).toContain('CapEff:0000000000000000');
    expect(await recordOf(nc.id)).toContain('tried');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(connectionsSeen).toBe(before);
    expect(await recordOf(nc.id)).not.toMatch(/^connected$/m);
  });

  it('cannot write one file past the disk limit: the run fails with tpu-disk-limit', async () => {
    const nc = await nanocycle();
    const failure = await runTpu(
      executor(),
      database.db,
      input(nc, ['dd if=/dev/zero of=big bs=1M count=64'], 8),
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'tpu-disk-limit', nonRetryable: true });
    expect((failure as Error).message).toContain('--disk');
    expect(statSync(join(nc.worktree, 'big')).size).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  it('cannot end over the limit between two checks: a quick writer fails with tpu-disk-limit too', async () => {
    const nc = await nanocycle();
    const failure = await runTpu(
      executor(),
      database.db,
      input(
        nc,
        ['for i in 1 2 3; do dd if=/dev/urandom of=q$i bs=1M count=4 2>/dev/null; done; echo wrote'],
        8,
      ),
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ type: 'tpu-disk-limit', nonRetryable: true });
    expect((failure as Error).message).toMatch(/added 1\d\.\d MB/);
  });

  it('cannot fill the disk with many files under the limit: it is stopped, the worktree bounded', async () => {
    const nc = await nanocycle();
    const limitMb = 16;
    // 2 MB every 50 ms: ~40 MB/s, so the 1 s watch lets it overshoot by tens of MB, not more.
    const failure = await runTpu(
      executor(),
      database.db,
      input(
        nc,
        [
          'i=0; while true; do dd if=/dev/urandom of=f$i bs=1M count=2 2>/dev/null; i=$((i+1)); sleep 0.05; done',
        ],
        limitMb,
      ),
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ type: 'tpu-disk-limit', nonRetryable: true });
    const used = await diskUsed([nc.worktree]);
    expect(used).toBeGreaterThan(limitMb * 1024 * 1024);
    expect(used).toBeLessThan((limitMb + 100) * 1024 * 1024);
    if (kind === 'docker') {
      // The failed run's container is gone: nothing else would remove it.
      const left = await engine.docker.listContainers({
        all: true,
        filters: { label: [`tevis.nanocycle=${nc.id}`] },
      });
      expect(left).toHaveLength(0);
    }
  });
});
