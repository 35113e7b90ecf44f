import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DOCKER_SOCKET, resolveTpuExecutor } from '../../runtime/tpu-executor-setting.js';

/** A PATH with (or without) an executable `bwrap` in it. */
const dir = mkdtempSync(join(tmpdir(), 'tevis-setting-'));
const withBwrap = join(dir, 'with');
const without = join(dir, 'without');
mkdirSync(withBwrap);
mkdirSync(without);
writeFileSync(join(withBwrap, 'bwrap'), '#!/bin/sh\n');
chmodSync(join(withBwrap, 'bwrap'), 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noSocket = !existsSync(DEFAULT_DOCKER_SOCKET);

describe('the TPU executor setting', () => {
  it('takes TEVIS_TPU_EXECUTOR as given, and refuses anything but docker, sandbox or none', () => {
    expect(resolveTpuExecutor({ TEVIS_TPU_EXECUTOR: 'docker', PATH: without })).toMatchObject({
      kind: 'docker',
    });
    expect(resolveTpuExecutor({ TEVIS_TPU_EXECUTOR: 'sandbox', PATH: withBwrap })).toMatchObject({
      kind: 'sandbox',
      bwrapPath: join(withBwrap, 'bwrap'),
    });
    expect(
      resolveTpuExecutor({ TEVIS_TPU_EXECUTOR: 'none', DOCKER_HOST: 'unix:///x.sock', PATH: withBwrap }),
    ).toMatchObject({ kind: 'none' });
    expect(() => resolveTpuExecutor({ TEVIS_TPU_EXECUTOR: 'local' })).toThrow(
      /docker, sandbox, none.*never run unsandboxed/,
    );
    expect(() => resolveTpuExecutor({ TEVIS_TPU_EXECUTOR: 'unsandboxed' })).toThrow(/TEVIS_TPU_EXECUTOR/);
  });

  it('asked for the sandbox without bwrap, has none (and says what to install) rather than anything weaker', () => {
    const setting = resolveTpuExecutor({ TEVIS_TPU_EXECUTOR: 'sandbox', PATH: without });
    expect(setting.kind).toBe('none');
    expect(setting.reason).toContain('apt-get install bubblewrap');
  });

  it('defaults to docker where an engine is configured, else the sandbox where bwrap is, else none', () => {
    expect(resolveTpuExecutor({ DOCKER_HOST: 'unix:///nowhere.sock', PATH: withBwrap })).toMatchObject({
      kind: 'docker',
      reason: 'DOCKER_HOST is set',
    });
    if (noSocket) {
      expect(resolveTpuExecutor({ PATH: withBwrap })).toMatchObject({ kind: 'sandbox' });
      expect(resolveTpuExecutor({ PATH: without })).toMatchObject({ kind: 'none' });
    } else {
      expect(resolveTpuExecutor({ PATH: without })).toMatchObject({
        kind: 'docker',
        reason: `${DEFAULT_DOCKER_SOCKET} exists`,
      });
    }
  });
});
