import type { Writable } from 'node:stream';
import type { RunStdinDelivery } from './run-stdin.js';

/**
 * The stdin of every ACP run this worker's sandboxes are running, by run id. A sandbox is a
 * child of this process (it dies with it), so only this process can write to it: the workflow
 * sends the answer to the workspace's host, whose worker finds the pipe here.
 */
const inputs = new Map<string, { attempt: number; stdin: Writable }>();

/** Registers the pipe of `attempt` of run `runId`; the returned function forgets it. */
export function holdSandboxInput(runId: string, attempt: number, stdin: Writable): () => void {
  const entry = { attempt, stdin };
  inputs.set(runId, entry);
  return () => {
    if (inputs.get(runId) === entry) inputs.delete(runId);
  };
}

export function writeSandboxInput(
  runId: string,
  attempt: number | undefined,
  text: string,
): RunStdinDelivery {
  const entry = inputs.get(runId);
  if (!entry) return { delivered: false, why: 'the run is not running on this worker any more' };
  if (attempt !== undefined && entry.attempt !== attempt)
    return { delivered: false, why: `the run restarted (attempt ${entry.attempt}) and its agent asks again` };
  if (entry.stdin.destroyed || !entry.stdin.writable) return { delivered: false, why: 'the run has ended' };
  entry.stdin.write(text);
  return { delivered: true };
}
