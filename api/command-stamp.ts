import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { CommandStamp } from '../contracts/sealed-commands.js';

/**
 * The API's side of contracts/sealed-commands.ts: every Update and signal it sends a session
 * carries a stamp as its last argument, sealed by the client's codec like every payload. The
 * workflow refuses what lacks one; only a holder of the codec key can make one.
 */
export function commandStamp(sessionId: string, updateId?: string): CommandStamp {
  return { sessionId, ...(updateId ? { updateId } : {}), issuedAt: new Date().toISOString() };
}

/** Runs an Update with the stamp appended; the Update id is the stamp's, so a stamp serves once. */
export function executeStampedUpdate<Ret, Args extends unknown[]>(
  handle: WorkflowHandle,
  sessionId: string,
  update: UpdateDefinition<Ret, [...Args, CommandStamp?]>,
  args: Args,
): Promise<Ret> {
  const updateId = randomUUID();
  const stamped = [...args, commandStamp(sessionId, updateId)] as unknown as [unknown, ...unknown[]];
  return handle.executeUpdate(update as unknown as UpdateDefinition<Ret, [unknown, ...unknown[]]>, {
    args: stamped,
    updateId,
  });
}
