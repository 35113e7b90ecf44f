import type Docker from 'dockerode';
import { statusOf } from './engine-error-status.js';
import type { RunStdinDelivery } from './run-stdin.js';

/**
 * Writes to a running TPU container's stdin through a fresh attach. ACP runs are created with
 * stdin open and not closed by a detach (`OpenStdin`, `StdinOnce: false`), so any worker, also
 * one started after the run began, can answer its agent, and ending this attach leaves the
 * runner's stdin open for the next answer.
 */
export async function writeContainerStdin(
  docker: Docker,
  name: string,
  text: string,
): Promise<RunStdinDelivery> {
  const container = docker.getContainer(name);
  let running: boolean;
  try {
    running = (await container.inspect()).State.Running;
  } catch (error) {
    if (statusOf(error) === 404) return { delivered: false, why: 'the run has no container any more' };
    throw error;
  }
  if (!running) return { delivered: false, why: 'the run has ended' };
  const stream = (await container.attach({
    stream: true,
    stdin: true,
    stdout: false,
    stderr: false,
    hijack: true,
  })) as NodeJS.ReadWriteStream & { destroy(): void };
  try {
    await new Promise<void>((resolve, reject) =>
      stream.write(text, (error?: Error | null) => (error ? reject(error) : resolve())),
    );
  } finally {
    stream.end();
    // The engine keeps a hijacked connection until the client closes it.
    setTimeout(() => stream.destroy(), 1000).unref();
  }
  return { delivered: true };
}
