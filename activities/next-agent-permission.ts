import { Context } from '@temporalio/activity';
import { permissionRequestOf } from '../contracts/agent-permission-line.js';
import type { AgentPermissionRequest } from '../contracts/agent-permission.js';
import { nextPermissionLine } from '../db/acp-lines-store.js';
import type { Database } from '../db/database.js';

/** How often the record is looked at while an ACP agent works without asking. */
const POLL_MS = 250;

export interface NextAgentPermissionInput {
  sessionId: string;
  nanocycleId: string;
  run: number;
  /** The seq of the last permission line already handled (0: none). */
  afterSeq: number;
}

export interface AgentPermissionAsked {
  seq: number;
  /** The attempt of the TPU activity whose runner asked: a restarted sandbox is not told. */
  attempt: number;
  /** Null when the line did not fit (see `problem`): the request is answered `cancelled`. */
  request: AgentPermissionRequest | null;
  problem?: string;
  /** The runner's number of a request that did not fit, when the line had one. */
  requestId?: number;
}

/**
 * Waits for an ACP run's next permission request in its stored output and answers it. It reads
 * the record, not the TPU, so it runs on any worker and survives the loss of the one running the
 * TPU; the workflow cancels it when the run ends first.
 */
export async function nextAgentPermission(
  db: Database,
  input: NextAgentPermissionInput,
): Promise<AgentPermissionAsked> {
  const ctx = Context.current();
  for (;;) {
    ctx.heartbeat();
    const found = await nextPermissionLine(db, input);
    if (found) {
      const parsed = permissionRequestOf(found.line);
      return 'request' in parsed
        ? { seq: found.seq, attempt: found.attempt, request: parsed.request }
        : { seq: found.seq, attempt: found.attempt, request: null, ...parsed };
    }
    // Rejects with the cancellation when the workflow no longer waits.
    await ctx.sleep(POLL_MS);
  }
}
