import { AgentPermissionRequest } from './agent-permission.js';
import { z } from 'zod';
import { HOLD_POINT_KINDS, HOLD_POINT_STATUSES, NanocycleStatus } from './nanocycle.js';

/** What the API answers about nanocycles, their output and hold points; the CLI reads the same. */

/**
 * The `data` column of a nanocycle: what it was queued with, then what it finished with (each
 * write replaces the whole object). Loose, so keys written by other versions read back intact.
 */
export const NanocycleData = z
  .looseObject({
    /** Queued: the shell steps instead of the agent, and the per-nanocycle hold-point policy. */
    run: z.array(z.string()).nullable().optional(),
    hold: z.object({ plan: z.boolean().optional(), merge: z.boolean().optional() }).nullable().optional(),
    /** Finished: its commit, how much it changed, how long its TPU ran, and why it failed. */
    commit: z.string().nullable().optional(),
    filesChanged: z.number().int().optional(),
    tpuSeconds: z.number().optional(),
    detail: z.string().nullable().optional(),
  })
  .meta({ id: 'NanocycleData' });
export type NanocycleData = z.infer<typeof NanocycleData>;

export const NanocycleRecord = z
  .object({
    id: z.string(),
    name: z.string(),
    goal: z.string().nullable(),
    status: NanocycleStatus,
    branch: z.string(),
    /** `docker` or `local`, from the moment its TPU starts; null while it has not. */
    executor: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    data: NanocycleData,
  })
  .meta({ id: 'NanocycleRecord' });
export type NanocycleRecord = z.infer<typeof NanocycleRecord>;

/**
 * stdout and stderr are the TPU's; `tevis` lines are Tevis's own notes in the output (a run
 * restarted); `acp` lines are an ACP agent's runner's typed lines, one JSON object each.
 */
export const LOG_STREAMS = ['stdout', 'stderr', 'tevis', 'acp'] as const;
export type LogStreamName = (typeof LOG_STREAMS)[number];

export const LogLine = z
  .object({
    seq: z.number().int(),
    run: z.number().int(),
    /** Which attempt of the run stored the line: 2 and up only after a worker was lost or an attempt failed. */
    attempt: z.number().int(),
    stream: z.enum(LOG_STREAMS),
    line: z.string(),
    at: z.string(),
  })
  .meta({ id: 'LogLine' });
export type LogLine = z.infer<typeof LogLine>;

/** A line of the session's output: a nanocycle's line, saying whose it is. */
export const SessionLogLine = LogLine.extend({ nanocycleId: z.string() }).meta({ id: 'SessionLogLine' });
export type SessionLogLine = z.infer<typeof SessionLogLine>;

export const HoldPointRecord = z
  .object({
    id: z.string(),
    nanocycleId: z.string().nullable(),
    kind: z.enum(HOLD_POINT_KINDS),
    reason: z.string(),
    status: z.enum(HOLD_POINT_STATUSES),
    openedAt: z.string(),
    resolvedAt: z.string().nullable(),
    resolvedBy: z.string().nullable(),
    comment: z.string().nullable(),
    /** Kind `agent` from an ACP agent: the tool call it asks to run and the options it offers. */
    agentRequest: AgentPermissionRequest.nullable().optional(),
  })
  .meta({ id: 'HoldPointRecord' });
export type HoldPointRecord = z.infer<typeof HoldPointRecord>;

export const NanocycleDiff = z
  .object({
    files: z.array(z.object({ path: z.string(), additions: z.number(), deletions: z.number() })),
    patch: z.string(),
  })
  .meta({ id: 'NanocycleDiff' });
export type NanocycleDiff = z.infer<typeof NanocycleDiff>;
