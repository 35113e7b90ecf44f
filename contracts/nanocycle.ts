import { z } from 'zod';
import { StorableText } from './storable.js';

/** NC-001, NC-002, … per session. */
export const NANOCYCLE_ID_PATTERN = /^NC-\d{3,}$/;
export const NanocycleId = z.string().regex(NANOCYCLE_ID_PATTERN, 'a nanocycle id looks like NC-001');

export const NanocycleName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,39}$/,
    'a nanocycle name is 1-40 lowercase letters, digits and "-", starting with a letter or digit',
  );

export const NANOCYCLE_STATUSES = [
  'queued',
  'running',
  'awaiting_approval',
  'completed',
  'merged',
  'failed',
  'cancelled',
  'rejected',
  'conflict',
] as const;
export const NanocycleStatus = z.enum(NANOCYCLE_STATUSES);
export type NanocycleStatus = z.infer<typeof NanocycleStatus>;

export function nanocycleId(sequence: number): string {
  return `NC-${String(sequence).padStart(3, '0')}`;
}

/** `feat/nc-007-auth-system`: the nanocycle's own branch, made from the session branch. */
export function nanocycleBranch(id: string, name: string): string {
  return `feat/${id.toLowerCase()}-${name}`;
}

export const NanocycleCreate = z
  .strictObject({
    name: NanocycleName,
    /** What the agent is to do; reaches it as TEVIS_GOAL. */
    goal: StorableText.min(1).max(20_000).optional(),
    /** Shell steps run in order instead of the project's agent; the first failure stops them. */
    run: z.array(StorableText.min(1).max(4000)).min(1).max(50).optional(),
    /** Per-nanocycle override of the session's hold-point policy. */
    hold: z.strictObject({ plan: z.boolean().optional(), merge: z.boolean().optional() }).optional(),
  })
  .refine((n) => n.goal !== undefined || n.run !== undefined, {
    message: 'give a goal (for the agent) or run steps',
  })
  // The refine, as JSON Schema says it.
  .meta({ id: 'NanocycleCreate', anyOf: [{ required: ['goal'] }, { required: ['run'] }] });
export type NanocycleCreate = z.infer<typeof NanocycleCreate>;

export const HOLD_POINT_KINDS = ['plan', 'merge', 'agent', 'conflict'] as const;
export type HoldPointKind = (typeof HOLD_POINT_KINDS)[number];

/** A hold point waits (`pending`) until a person, its deadline or its nanocycle's end decides it. */
export const HOLD_POINT_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type HoldPointStatus = (typeof HOLD_POINT_STATUSES)[number];

/** `HP-001-plan`, `HP-001-agent-2`, `HP-001-merge`, `HP-001-conflict-1`: whose, what, which. */
export const HOLD_ID_PATTERN = /^HP-\d{3,}-(plan|merge|agent|conflict)(-\d+)?$/;
export function holdPointId(nanocycle: string, kind: HoldPointKind, attempt?: number): string {
  return `HP-${nanocycle.replace(/^NC-/, '')}-${kind}${attempt ? `-${attempt}` : ''}`;
}

export const HoldPointResolve = z
  .strictObject({
    comment: StorableText.max(20_000).optional(),
    /** Approving a `plan` hold point may replace the goal. */
    goal: StorableText.min(1).max(20_000).optional(),
    by: StorableText.max(200).optional(),
    /**
     * At an `agent` hold point: the id of the agent's option to answer with, one of the decision's
     * side (an allow option to approve, a reject option to reject). Without it, approve answers
     * with the agent's "allow once" (else "allow always"), reject with its "reject once" (else
     * "reject always").
     */
    option: StorableText.min(1).max(1024).optional(),
  })
  .meta({ id: 'HoldPointResolve' });
export type HoldPointResolve = z.infer<typeof HoldPointResolve>;

/** `nanocycle merge`: who asked, and why, for its merge hold point's record. */
export const NanocycleMerge = z
  .strictObject({
    comment: StorableText.max(20_000).optional(),
    by: StorableText.max(200).optional(),
  })
  .meta({ id: 'NanocycleMerge' });
export type NanocycleMerge = z.infer<typeof NanocycleMerge>;

export type HoldDecision = 'approve' | 'reject';

export interface HoldPointAnswer {
  holdPointId: string;
  decision: HoldDecision;
  comment: string | null;
  goal: string | null;
  by: string;
  /** The agent's option the person named (agent hold points); absent: the rule's pick. */
  option?: string;
}
