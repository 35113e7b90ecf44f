import { randomUUID } from 'node:crypto';
import type { WorkflowHandle, WorkflowUpdateHandle, WorkflowUpdateOptions } from '@temporalio/client';
import type { WorkflowUpdateStage } from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CommandStamp } from '../../contracts/sealed-commands.js';

/**
 * A session workflow handle whose Updates and signals carry the stamp the API adds
 * (api/command-stamp.ts), timed by the test server's clock when time is skipped: workflow
 * tests talk to the workflow directly and must look like the API to it.
 */
/** Callable without the stamp argument the definitions now end with. */
export interface StampedCommands {
  executeUpdate<Ret>(
    def: UpdateDefinition<Ret, any[]>,
    opts?: WorkflowUpdateOptions & { args?: unknown[] },
  ): Promise<Ret>;
  startUpdate<Ret>(
    def: UpdateDefinition<Ret, any[]>,
    opts: WorkflowUpdateOptions & { args?: unknown[]; waitForStage: typeof WorkflowUpdateStage.ACCEPTED },
  ): Promise<WorkflowUpdateHandle<Ret>>;
  signal(def: SignalDefinition<any[]>, ...args: unknown[]): Promise<void>;
}

export function stampedHandle<H extends WorkflowHandle>(
  handle: H,
  sessionId: string,
  env?: Pick<TestWorkflowEnvironment, 'currentTimeMs'>,
): H & StampedCommands {
  const stamp = async (updateId?: string): Promise<CommandStamp> => ({
    sessionId,
    ...(updateId ? { updateId } : {}),
    issuedAt: new Date(env ? await env.currentTimeMs() : Date.now()).toISOString(),
  });
  type Opts = { args?: unknown[] } & Record<string, unknown>;
  const stamped = Object.create(handle) as H & StampedCommands;
  const withStamp = async (opts: Opts | undefined) => {
    const updateId = randomUUID();
    return { ...opts, updateId, args: [...(opts?.args ?? []), await stamp(updateId)] };
  };
  const commands: StampedCommands = {
    executeUpdate: async (def, opts) =>
      handle.executeUpdate(def as never, (await withStamp(opts as Opts)) as never),
    startUpdate: async (def, opts) =>
      handle.startUpdate(def as never, (await withStamp(opts as unknown as Opts)) as never),
    signal: async (def, ...args) => handle.signal(def as never, ...([...args, await stamp()] as never[])),
  };
  Object.assign(stamped, commands);
  return stamped;
}
