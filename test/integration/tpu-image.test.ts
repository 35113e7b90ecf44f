import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findStaticBusybox } from '../../runtime/tpu-image.js';
import { startDockerEngine, type DockerEngine } from '../support/docker-engine.js';
import { describeRun, runCli } from '../support/cli-run.js';
import { cleanEnv, ProcessSet } from '../support/processes.js';

/**
 * `tevis tpu build-image` on a real engine: the default TPU image is made without a registry and
 * runs shell steps as the TPU user.
 */
let engine: DockerEngine;
let home = '';
const processes = new ProcessSet();

beforeAll(async () => {
  engine = await startDockerEngine();
  home = await mkdtemp(join(tmpdir(), 'tevis-tpu-image-'));
});
afterAll(async () => {
  await processes.killAll();
  await engine?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('the default TPU image', () => {
  it('is built by `tevis tpu build-image` and runs a shell step as uid 10001', async () => {
    const tag = 'tevis-tpu-cli:test';
    const run = await runCli(
      processes,
      ['tpu', 'build-image', '--tag', tag, '--json'],
      cleanEnv({ TEVIS_HOME: home, DOCKER_HOST: engine.dockerHost }),
    );
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.json).toMatchObject({ tag, applets: expect.any(Number) });
    expect(run.json.applets).toBeGreaterThan(50);

    const image = await engine.docker.getImage(tag).inspect();
    expect(image.Config.User).toBe('10001:10001');
    const container = await engine.docker.createContainer({
      Image: tag,
      Cmd: ['sh', '-c', 'id -u; echo hello > /tmp/x && cat /tmp/x'],
      HostConfig: { NetworkMode: 'none' },
    });
    try {
      await container.start();
      expect((await container.wait()).StatusCode).toBe(0);
      const logs = (await container.logs({ stdout: true, stderr: true })).toString('utf8');
      expect(logs).toContain('10001');
      expect(logs).toContain('hello');
    } finally {
      await container.remove({ force: true });
    }
  });

  it('says where no engine answers, and exits 5', async () => {
    const run = await runCli(
      processes,
      ['tpu', 'build-image', '--json'],
      cleanEnv({ TEVIS_HOME: home, DOCKER_HOST: `unix://${join(home, 'no-engine.sock')}` }),
    );
    expect(run.code, describeRun(run)).toBe(5);
    expect(run.json.error).toMatchObject({ type: 'engine-unreachable' });
    expect(run.json.error.detail).toContain('no-engine.sock');
  });

  it('tells a static busybox from a dynamic one', async () => {
    expect(await findStaticBusybox()).not.toBeNull();
    // node is dynamically linked: never mistaken for a static busybox.
    expect(await findStaticBusybox([process.execPath])).toBeNull();
  });
});
