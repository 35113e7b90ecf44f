import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TPU_UID, TPU_WORKDIR } from '../../activities/tpu/tpu-spec.js';
import { chownTree } from '../../activities/tpu/worktree-owner.js';
import { ACP_RUNNER_IN_TPU } from '../../activities/tpu/tpu-spec.js';
import { acpRunnerBundle } from '../../tpu/acp/runner-bundle.js';
import type { AcpLine } from '../support/acp-runner-process.js';
import { describeRun, runCli } from '../support/cli-run.js';
import { type DockerEngine, startDockerEngine } from '../support/docker-engine.js';
import { cleanEnv, ProcessSet } from '../support/processes.js';
import { APPROVED_TEXT, NOTES_TEXT } from '../support/scripted-acp-agent.js';
import { scriptedAgentBundle } from '../support/scripted-agent-bundle.js';

/**
 * `tevis tpu build-image --node` on a real engine, and the bundled ACP runner in a container of
 * that image run the way TPUs run (activities/tpu/tpu-container-spec.ts): no network, uid 10001,
 * a read-only root filesystem with a /tmp tmpfs, the runner bind-mounted read-only at
 * /opt/tevis/acp-runner.mjs, the workspace a plain directory holding the bundled scripted agent,
 * stdin attached to answer its permission request.
 */
let engine: DockerEngine;
let home = '';
const processes = new ProcessSet();

beforeAll(async () => {
  engine = await startDockerEngine();
  home = await mkdtemp(join(tmpdir(), 'tevis-tpu-node-image-'));
});
afterAll(async () => {
  await processes.killAll();
  await engine?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

const tag = 'tevis-tpu-node-cli:test';

describe('the Node TPU image', () => {
  it('is built by `tevis tpu build-image --node` with this host node and its libraries', async () => {
    const run = await runCli(
      processes,
      ['tpu', 'build-image', '--node', '--tag', tag, '--json'],
      cleanEnv({ TEVIS_HOME: home, DOCKER_HOST: engine.dockerHost }),
    );
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.json).toMatchObject({ tag, node: process.version, applets: expect.any(Number) });
    expect(run.json.libraries).toEqual(expect.arrayContaining([expect.stringMatching(/\/libc\.so/)]));
    expect((await engine.docker.getImage(tag).inspect()).Config.User).toBe('10001:10001');
  });

  it('runs the bundled ACP runner and a Node agent as uid 10001 with no network, answering the permission on stdin', async () => {
    const runner = await acpRunnerBundle(join(home, 'runner'));
    const workspace = await mkdtemp(join(home, 'workspace-'));
    await mkdir(join(workspace, '.agent'));
    await writeFile(join(workspace, '.agent', 'agent.mjs'), await scriptedAgentBundle());
    // The test runs as root (it starts dockerd): the workspace goes to the TPU user, as a root worker hands it over.
    if (process.getuid?.() === 0) await chownTree(workspace, TPU_UID, TPU_UID);

    const container = await engine.docker.createContainer({
      Image: tag,
      Cmd: ['node', ACP_RUNNER_IN_TPU, '--', 'node', '.agent/agent.mjs'],
      Env: ['TEVIS_GOAL=Keep notes of the work', 'HOME=/tmp'],
      WorkingDir: TPU_WORKDIR,
      User: `${TPU_UID}:${TPU_UID}`,
      Tty: false,
      OpenStdin: true,
      StdinOnce: false,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: {
        NetworkMode: 'none',
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': 'rw,size=64m' },
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Binds: [`${runner}:${ACP_RUNNER_IN_TPU}:ro`, `${workspace}:${TPU_WORKDIR}:rw`],
      },
    });
    try {
      const stream = await container.attach({
        stream: true,
        stdin: true,
        stdout: true,
        stderr: true,
        hijack: true,
      });
      const stdout = new PassThrough();
      let stderr = '';
      const stderrStream = new PassThrough().on(
        'data',
        (chunk: Buffer) => (stderr += chunk.toString('utf8')),
      );
      engine.docker.modem.demuxStream(stream, stdout, stderrStream);
      const lines: AcpLine[] = [];
      createInterface({ input: stdout }).on('line', (text) => {
        const line = JSON.parse(text) as AcpLine;
        lines.push(line);
        // The answer a person gives at the hold point, as the worker will write it.
        if (line.type === 'permission') stream.write(`${JSON.stringify({ optionId: 'allow' })}\n`);
      });
      await container.start();
      const { StatusCode } = await container.wait();
      stream.end();
      const shown = `${lines.map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${stderr}`;
      expect(StatusCode, shown).toBe(0);
      expect(lines.at(-1), shown).toMatchObject({ type: 'end', stopReason: 'end_turn', exitCode: 0 });
      expect(lines.map((l) => l.type)).toContain('permission_answered');
      expect(lines.find((l) => l.type === 'permission_answered')).toMatchObject({ outcome: 'allow' });
      expect(await readFile(join(workspace, 'NOTES.md'), 'utf8')).toBe(NOTES_TEXT);
      expect(await readFile(join(workspace, 'APPROVED.md'), 'utf8')).toBe(APPROVED_TEXT);
      // Written by the agent's runner as the TPU user, not by root.
      expect((await stat(join(workspace, 'NOTES.md'))).uid).toBe(
        process.getuid?.() === 0 ? TPU_UID : process.getuid?.(),
      );
    } finally {
      await container.remove({ force: true });
    }
  });
});
