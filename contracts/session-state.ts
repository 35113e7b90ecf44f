import { z } from 'zod';
import { ExecutionSettings } from './execution-settings.js';
import { HOLD_POINT_KINDS, NanocycleStatus } from './nanocycle.js';
import { ReviewState } from './review.js';
import { EndReason, SessionStatus, SessionType } from './session-types.js';

/** A nanocycle as the session workflow sees it: the brief its query answers for each one. */
export const NanocycleBrief = z.object({
  id: z.string(),
  name: z.string(),
  status: NanocycleStatus,
  branch: z.string(),
  executor: z.string().nullable().optional(),
  commit: z.string().nullable().optional(),
  filesChanged: z.number().int().optional(),
  tpuSeconds: z.number().optional(),
  /** Why it failed, or the conflicting files. */
  detail: z.string().nullable().optional(),
  /** How many merges of it conflicted: numbers its conflict hold points. */
  conflicts: z.number().int().optional(),
});
export type NanocycleBrief = z.infer<typeof NanocycleBrief>;

export const HoldPointBrief = z.object({
  id: z.string(),
  nanocycleId: z.string().nullable(),
  kind: z.enum(HOLD_POINT_KINDS),
  reason: z.string(),
  openedAt: z.string(),
});
export type HoldPointBrief = z.infer<typeof HoldPointBrief>;

export const LoadedContext = z.object({
  /** Paths (inside the workspace) of the planning documents found, e.g. `.tevis/plan.md`. */
  docs: z.array(z.string()),
  /** How many earlier sessions' summaries make up the project memory. */
  memoryEntries: z.number().int(),
  preferences: z.record(z.string(), z.string()),
});
export type LoadedContext = z.infer<typeof LoadedContext>;

export const WorkspaceState = z
  .object({
    path: z.string(),
    exists: z.boolean(),
    gitStatus: z.enum(['clean', 'dirty', 'missing']),
    branch: z.string().nullable(),
    lastCommit: z
      .object({ sha: z.string(), subject: z.string(), author: z.string(), at: z.string() })
      .nullable(),
    modifiedFiles: z.array(z.string()),
  })
  .meta({ id: 'WorkspaceState' });
export type WorkspaceState = z.infer<typeof WorkspaceState>;

/** What the session workflow's query answers: the session as it stands now. */
export const SessionWorkflowSummary = z.object({
  sessionId: z.string(),
  project: z.string(),
  repository: z.string(),
  type: SessionType,
  branch: z.string(),
  status: SessionStatus,
  startedAt: z.string(),
  lastActivityAt: z.string(),
  workspacePath: z.string().nullable(),
  /** The worker host that holds the workspace (contracts/worker-hosts.ts); absent before hosts. */
  workspaceHost: z.string().nullable().optional(),
  startCommit: z.string().nullable(),
  context: LoadedContext.nullable(),
  nanocycles: z.array(NanocycleBrief),
  activeNanocycle: z.string().nullable(),
  activeTpus: z.number().int(),
  pendingHoldPoints: z.array(HoldPointBrief),
  endReason: EndReason.nullable(),
  failure: z.string().nullable(),
  /** How many runs (continue-as-new) this session's workflow has gone through. */
  run: z.number().int(),
  /** Review sessions only: the base and what was decided. */
  review: ReviewState.optional(),
});
export type SessionWorkflowSummary = z.infer<typeof SessionWorkflowSummary>;

/**
 * What continue-as-new carries to the next run: the summary, and the settings and counters the
 * next run needs but a caller has no use for.
 */
export const SessionWorkflowState = SessionWorkflowSummary.extend({
  activeTimeoutSeconds: z.number(),
  pausedTimeoutSeconds: z.number(),
  /** Taken from the project when the session started; absent in sessions older than nanocycles. */
  execution: ExecutionSettings.optional(),
  /** Last nanocycle number handed out (NC-001, NC-002, …). */
  nanocycleCounter: z.number().int().optional(),
  /**
   * Each nanocycle's own last commit on its branch, by id (what a push sends; a brief's `commit`
   * becomes the merge): a workspace moved to another host restores a pushed branch only at it.
   */
  nanocycleBranchHeads: z.record(z.string(), z.string()).optional(),
});
export type SessionWorkflowState = z.infer<typeof SessionWorkflowState>;

/** The query's answer from the state: a copy without the carried settings and counters. */
export function summarizeSessionState(state: SessionWorkflowState): SessionWorkflowSummary {
  const {
    activeTimeoutSeconds,
    pausedTimeoutSeconds,
    execution,
    nanocycleCounter,
    nanocycleBranchHeads,
    ...summary
  } = state;
  return summary;
}

/** What `GET /sessions/:id` returns beside the record: the active context, the workspace and the execution. */
export const SessionLiveState = z
  .object({
    activeContext: z.object({
      sessionId: z.string(),
      project: z.string(),
      repository: z.string(),
      branch: z.string(),
      type: SessionType,
      startedAt: z.string(),
      nanocycles: z.array(NanocycleBrief),
      activeNanocycle: z.string().nullable(),
      context: LoadedContext.nullable(),
    }),
    workspace: WorkspaceState.nullable(),
    execution: z.object({
      status: z.enum(['idle', 'running', 'waiting', 'stopped']),
      activeTpus: z.number().int(),
      pendingHoldPoints: z.array(HoldPointBrief),
    }),
    /** Review sessions: the base and the decision. */
    review: ReviewState.optional(),
    /**
     * Whether Temporal runs the session's workflow (as it said within the last 2 s, or since the
     * session's last event); false for a closed session, and for an open one whose workflow was
     * terminated or lost (`tevis session recover`) or while Temporal does not answer. Everything
     * else in this state comes from the record either way.
     */
    live: z.boolean(),
  })
  .meta({ id: 'SessionLiveState' });
export type SessionLiveState = z.infer<typeof SessionLiveState>;
