import type Docker from 'dockerode';
import { diskLimitBytes } from './disk-watch.js';
import { tpuArgv, tpuEnv } from './tpu-command.js';
import { ACP_RUNNER_IN_TPU, TPU_WORKDIR, type TpuRunInput } from './tpu-spec.js';
import type { TpuIdentity } from './worktree-owner.js';

/**
 * What a TPU container is allowed: no network unless the project asks for it, no root, no
 * capabilities, a read-only root filesystem, and the project's memory, CPU, process and file-size
 * limits; the only writable paths are its worktree and a small /tmp.
 */
export function tpuContainerSpec(
  input: TpuRunInput,
  name: string,
  identity: TpuIdentity,
): Docker.ContainerCreateOptions {
  const argv = tpuArgv(input);
  // The root filesystem is read-only: HOME must point somewhere writable for tools that keep state there.
  const env = { HOME: '/tmp', ...tpuEnv(input) };
  return {
    name,
    Image: input.image,
    // The command is the whole of what runs: an image's own entrypoint would otherwise prefix it.
    Entrypoint: argv.slice(0, 1),
    Cmd: argv.slice(1),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    WorkingDir: TPU_WORKDIR,
    User: `${identity.uid}:${identity.gid}`,
    Tty: false,
    // An ACP run's runner reads the answers to its agent's permission requests on stdin, from
    // any worker's attach; it stays open when an attach ends.
    OpenStdin: Boolean(input.acp),
    StdinOnce: false,
    Labels: {
      'tevis.session': input.sessionId,
      'tevis.nanocycle': input.nanocycleId,
      'tevis.run': input.runId,
    },
    HostConfig: {
      NetworkMode: input.network ? 'bridge' : 'none',
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,size=64m' },
      CapDrop: ['ALL'],
      // No file past the disk limit (RLIMIT_FSIZE, in bytes); disk-watch.ts bounds the sum.
      Ulimits: [{ Name: 'fsize', Soft: diskLimitBytes(input.limits), Hard: diskLimitBytes(input.limits) }],
      SecurityOpt: ['no-new-privileges'],
      Memory: Math.round(input.limits.memoryMb * 1024 * 1024),
      // No swap beyond the memory limit: the limit is the limit.
      MemorySwap: Math.round(input.limits.memoryMb * 1024 * 1024),
      NanoCpus: Math.round(input.limits.cpus * 1e9),
      PidsLimit: input.limits.pids,
      Binds: [
        `${input.worktreePath}:${TPU_WORKDIR}:rw`,
        ...(input.acp?.runner ? [`${input.acp.runner}:${ACP_RUNNER_IN_TPU}:ro`] : []),
      ],
      // Never AutoRemove: the container is the record of the run until the workflow has the result.
      AutoRemove: false,
    },
  };
}
