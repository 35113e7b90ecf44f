import { z } from 'zod';
import { pickOption } from './agent-option-picks.js';

/**
 * What an ACP agent asked permission for (`session/request_permission`), as its `agent` hold
 * point shows it: the tool call and the options a person chooses between. The runner's line is
 * written inside the TPU, by code the agent can reach, so it is data from an untrusted source:
 * every field is bounded, and a line that does not fit opens no hold point with its text.
 */

export const AGENT_PERMISSION_OPTION_KINDS = [
  'allow_once',
  'allow_always',
  'reject_once',
  'reject_always',
] as const;

export const AgentPermissionOption = z.object({
  optionId: z.string().min(1).max(1024),
  name: z.string().max(1000),
  kind: z.enum(AGENT_PERMISSION_OPTION_KINDS),
});
export type AgentPermissionOption = z.infer<typeof AgentPermissionOption>;

export const AgentToolCall = z.object({
  toolCallId: z.string().max(1024),
  title: z.string().max(4000).nullable(),
  /** ACP's tool kind: read, edit, delete, move, search, execute, think, fetch, other. */
  kind: z.string().max(100).nullable(),
  /** The files it touches, as the agent names them. */
  paths: z.array(z.string().max(4096)).max(50),
  /** Its raw input (a command, the arguments), as JSON text cut at 8,000 characters. */
  input: z.string().max(8000).nullable(),
});
export type AgentToolCall = z.infer<typeof AgentToolCall>;

export const AgentPermissionRequest = z
  .object({
    /** The runner's number for the request (1, 2, … within one run of the runner). */
    requestId: z.number().int().min(0),
    toolCall: AgentToolCall,
    options: z.array(AgentPermissionOption).min(1).max(20),
  })
  .meta({ id: 'AgentPermissionRequest' });
export type AgentPermissionRequest = z.infer<typeof AgentPermissionRequest>;

/**
 * The option a person's decision picks: the one they named, when it is of the decision's side,
 * else the rule's (agent-option-picks.js, shared with the API's check and what the CLI and the
 * page show). Null: the agent offered none of that side, and the request is answered `cancelled`.
 */
export function optionFor(
  request: Pick<AgentPermissionRequest, 'options'>,
  decision: 'approve' | 'reject',
  chosen?: string,
): AgentPermissionOption | null {
  return pickOption(request.options, decision, chosen);
}
