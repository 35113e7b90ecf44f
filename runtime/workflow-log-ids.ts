import { SESSION_ID_PATTERN } from '../contracts/ids.js';
import { NANOCYCLE_ID_PATTERN } from '../contracts/nanocycle.js';

export interface WorkflowLogIds {
  sessionId?: string;
  nanocycleId?: string;
}

// A session's workflow is `session-<sessionId>` (contracts/ids.ts); a nanocycle's is its session's
// workflow id and `-<nanocycleId>` (workflows/nanocycle-engine/nanocycle-book.ts).
const WORKFLOW_ID = new RegExp(
  `^session-(${SESSION_ID_PATTERN.source.slice(1, -1)})(?:-(${NANOCYCLE_ID_PATTERN.source.slice(1, -1)}))?$`,
);

/** The session and nanocycle a workflow id names, so a log line of its workflow or activities carries them. */
export function workflowLogIds(workflowId: unknown): WorkflowLogIds {
  if (typeof workflowId !== 'string') return {};
  const match = WORKFLOW_ID.exec(workflowId);
  if (!match) return {};
  return match[2] ? { sessionId: match[1], nanocycleId: match[2] } : { sessionId: match[1] };
}
