import type Docker from 'dockerode';
import type { Database } from '../../db/database.js';
import { pingEngine } from './ping-engine.js';
import { removeTpuContainer } from './remove-tpu-container.js';
import { runInDocker } from './run-in-docker.js';
import { sweepTpuContainers } from './sweep-tpu-containers.js';
import type { TpuExecutor } from './tpu-executor.js';
import { engineUnreachable } from './tpu-failures.js';
import { tpuContainerName, type TpuRunInput, type TpuRunResult } from './tpu-spec.js';
import { writeContainerStdin } from './container-stdin.js';
import type { RunStdinDelivery, RunStdinTarget } from './run-stdin.js';

/** How long the engine gets to answer a ping before a run fails with tpu-engine-unreachable. */
const PROBE_MS = 2000;

/** The Docker executor: one engine (DOCKER_HOST or the default socket), chosen at worker start. */
export class DockerTpuExecutor implements TpuExecutor {
  readonly kind = 'docker' as const;

  constructor(
    private readonly db: Database,
    private readonly docker: Docker,
    /** Where the engine is, for messages: DOCKER_HOST's value or the default socket. */
    private readonly where: string,
  ) {}

  async check(): Promise<string> {
    const version = await this.docker.version();
    return `docker (Docker ${version.Version} at ${this.where})`;
  }

  async ready(): Promise<void> {
    // An engine that does not answer fails the attempt; Temporal retries with backoff, so the
    // nanocycle waits for the engine, and never runs anywhere else meanwhile.
    const unreachable = await pingEngine(this.docker, PROBE_MS);
    if (unreachable !== null) throw engineUnreachable(this.where, unreachable);
  }

  run(input: TpuRunInput): Promise<TpuRunResult> {
    return runInDocker(this.docker, this.db, input);
  }

  tell(target: RunStdinTarget, text: string): Promise<RunStdinDelivery> {
    return writeContainerStdin(this.docker, tpuContainerName(target), text);
  }

  release(containerName: string): Promise<{ removed: boolean }> {
    return removeTpuContainer(this.docker, containerName);
  }

  sweep(db: Database): Promise<{ removed: string[] }> {
    return sweepTpuContainers(this.docker, db);
  }
}
