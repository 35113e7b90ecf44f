import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeContainerStdin } from '../../activities/tpu/container-stdin.js';
import { type DockerEngine, startDockerEngine } from '../support/docker-engine.js';
import { waitFor } from '../support/poll.js';

/**
 * The stdin an ACP run's runner reads its answers on: a container made with stdin open that a
 * detach does not close (`OpenStdin`, `StdinOnce: false`), written by separate attaches, as two
 * workers would (the one that saw the question may be gone when the answer comes).
 */
let engine: DockerEngine;

beforeAll(async () => {
  engine = await startDockerEngine();
});
afterAll(async () => {
  await engine?.stop();
});

async function logsOf(name: string): Promise<string> {
  const buffer = (await engine.docker.getContainer(name).logs({ stdout: true, stderr: true })) as Buffer;
  // Multiplexed frames: 8-byte headers before each chunk; the text is what matters here.
  return buffer.toString('latin1');
}

describe('writing to a TPU container’s stdin', () => {
  it('delivers lines through separate attaches, and says why not once the container has ended', async () => {
    const name = `tevis-stdin-test-${Date.now()}`;
    const container = await engine.docker.createContainer({
      name,
      Image: engine.image,
      Entrypoint: ['sh'],
      Cmd: ['-c', 'read a; echo "got $a"; read b; echo "got $b"'],
      OpenStdin: true,
      StdinOnce: false,
      HostConfig: { NetworkMode: 'none' },
    });
    try {
      await container.start();
      expect(await writeContainerStdin(engine.docker, name, '{"optionId":"allow"}\n')).toEqual({
        delivered: true,
      });
      await waitFor('the first line to be read', async () =>
        (await logsOf(name)).includes('got {"optionId":"allow"}') ? true : undefined,
      );
      expect(await writeContainerStdin(engine.docker, name, 'second\n')).toEqual({ delivered: true });
      await container.wait();
      expect(await logsOf(name)).toContain('got second');
      expect(await writeContainerStdin(engine.docker, name, 'late\n')).toEqual({
        delivered: false,
        why: 'the run has ended',
      });
    } finally {
      await container.remove({ force: true });
    }
    expect(await writeContainerStdin(engine.docker, name, 'gone\n')).toEqual({
      delivered: false,
      why: 'the run has no container any more',
    });
  });
});
