import { z } from 'zod';
import { NO_NUL_PATTERN, StorableText } from './storable.js';

/**
 * How a project's nanocycles execute. Stored in the project's settings and copied into each
 * session when it starts, so a change applies to the next session, never to work already running.
 */
export const HoldPolicy = z.object({
  /** Stop before execution so a person approves (or edits) the goal. */
  plan: z.boolean(),
  /** Stop before merging so a person reviews the change. On by default. */
  merge: z.boolean(),
});
export type HoldPolicy = z.infer<typeof HoldPolicy>;

/**
 * What a project sends to its remote:
 * - `never`: nothing.
 * - `nanocycle-branches` (the default): each nanocycle branch (`feat/nc-NNN-…`) once it is
 *   merged, so a review session can open it; the session branch stays in the workspace.
 * - `on-merge`: the nanocycle branches, and the session branch after each merge.
 * - `on-end`: the nanocycle branches, and the session branch when the session ends.
 */
export const PUSH_POLICIES = ['never', 'nanocycle-branches', 'on-merge', 'on-end'] as const;
export type PushPolicy = (typeof PUSH_POLICIES)[number];

/** New projects push their nanocycle branches and never their base branch. */
export const DEFAULT_PUSH_POLICY: PushPolicy = 'nanocycle-branches';

/** The policy of stored settings; settings without one (hand-made, or older) take the default. */
export function pushPolicyOf(execution: { push?: PushPolicy | null }): PushPolicy {
  return execution.push ?? DEFAULT_PUSH_POLICY;
}

/** Every policy but `never` sends merged nanocycle branches to the remote. */
export function pushesNanocycleBranches(policy: PushPolicy): boolean {
  return policy !== 'never';
}

/**
 * How the agent command is spoken to: `command` (the default) runs it with the goal in TEVIS_GOAL
 * and the exit-75 hold protocol; `acp` speaks the Agent Client Protocol with it over its stdio,
 * through Tevis's runner inside the TPU (tpu/acp/runner.ts).
 */
export const AGENT_PROTOCOLS = ['command', 'acp'] as const;
export type AgentProtocol = (typeof AGENT_PROTOCOLS)[number];

/** The executors a project may require (the worker's choice otherwise). */
export const TPU_EXECUTOR_REQUIREMENTS = ['docker', 'sandbox'] as const;

/** 1 GiB: room for a repository's dependencies and build output, not for filling the host's disk. */
export const DEFAULT_DISK_MB = 1024;
const DISK_MB_MAX = 1_048_576;

export const ExecutionSettings = z
  .object({
    image: z.string(),
    /** The coding agent's command line (run with `sh -c`); nanocycles without `run` steps use it. */
    agent: z.string().nullable(),
    /** Absent in settings saved before ACP agents: `command`. */
    agentProtocol: z.enum(AGENT_PROTOCOLS).optional(),
    tpuLimit: z.number().int().min(1).max(16),
    holdPolicy: HoldPolicy,
    network: z.boolean(),
    limits: z.object({
      memoryMb: z.number().int().min(16),
      cpus: z.number().min(0.1).max(64),
      pids: z.number().int().min(8),
      /** What a TPU may write into its worktree (and the sandbox's /tmp), in MiB; absent in older settings means DEFAULT_DISK_MB. */
      diskMb: z.number().int().min(1).max(DISK_MB_MAX).optional(),
    }),
    timeoutSeconds: z.number().int().min(1),
    push: z.enum(PUSH_POLICIES),
    /** Told of every hold point opened and resolved; signed with TEVIS_WEBHOOK_SECRET (HMAC-SHA256). */
    webhookUrl: z.string().nullable().optional(),
    /**
     * The TPU executor this project's nanocycles must run on (`docker`, `sandbox`); null or absent:
     * the one the worker was started with. A worker with another one fails the run, never
     * substitutes its own.
     */
    executor: z.enum(TPU_EXECUTOR_REQUIREMENTS).nullable().optional(),
    /** What happens to a hold point nobody answers in time; none by default. */
    holdDeadline: z
      .object({ seconds: z.number().int().min(1), action: z.enum(['reject', 'pause']) })
      .nullable()
      .optional(),
    /**
     * How long the worker host that holds a session's workspace may serve none of its work before
     * the session moves to another host (see workflows/workspace-host.ts); absent: 120 s.
     */
    hostLostSeconds: z.number().int().min(1).optional(),
  })
  .meta({ id: 'ExecutionSettings' });
export type ExecutionSettings = z.infer<typeof ExecutionSettings>;

export const DEFAULT_EXECUTION_SETTINGS: ExecutionSettings = {
  image: 'tevis-tpu:latest',
  agent: null,
  tpuLimit: 2,
  holdPolicy: { plan: false, merge: true },
  network: false,
  limits: { memoryMb: 1024, cpus: 1, pids: 256, diskMb: DEFAULT_DISK_MB },
  timeoutSeconds: 3600,
  push: DEFAULT_PUSH_POLICY,
  webhookUrl: null,
  holdDeadline: null,
  executor: null,
};

/** The flat, optional form the API and CLI take (`--image`, `--agent`, `--tpu-limit`, …). */
export const ExecutionSettingsInput = z.strictObject({
  image: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$/, 'an image reference such as tevis-tpu:latest')
    .optional(),
  agent: StorableText.min(1).max(4000).nullable().optional(),
  agentProtocol: z.enum(AGENT_PROTOCOLS).optional(),
  tpuLimit: z.number().int().min(1).max(16).optional(),
  holdPlan: z.boolean().optional(),
  holdMerge: z.boolean().optional(),
  network: z.boolean().optional(),
  memoryMb: z.number().int().min(16).max(1_048_576).optional(),
  cpus: z.number().min(0.1).max(64).optional(),
  pids: z.number().int().min(8).max(1_000_000).optional(),
  diskMb: z.number().int().min(1).max(DISK_MB_MAX).optional(),
  tpuTimeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 86400)
    .optional(),
  push: z.enum(PUSH_POLICIES).optional(),
  webhookUrl: z
    .url({ protocol: /^https?$/, error: 'a webhook URL is http(s)://…' })
    .regex(NO_NUL_PATTERN, 'a webhook URL cannot contain a NUL character')
    .max(2000)
    // z.url's protocol check is a refine JSON Schema cannot show.
    .meta({ format: 'uri', description: 'An http:// or https:// URL; null removes it.' })
    .nullable()
    .optional(),
  /** 0 removes the deadline. */
  holdDeadlineSeconds: z
    .number()
    .int()
    .min(0)
    .max(365 * 86400)
    .optional(),
  holdDeadlineAction: z.enum(['reject', 'pause']).optional(),
  /** null: whichever the worker has. */
  executor: z.enum(TPU_EXECUTOR_REQUIREMENTS).nullable().optional(),
  /** Seconds a session's worker host may serve none of its work before the session moves host. */
  hostLostSeconds: z.number().int().min(5).max(86400).optional(),
});
export type ExecutionSettingsInput = z.infer<typeof ExecutionSettingsInput>;

export function applyExecutionInput(
  current: ExecutionSettings,
  input: ExecutionSettingsInput,
): ExecutionSettings {
  return {
    image: input.image ?? current.image,
    agent: input.agent === undefined ? current.agent : input.agent,
    tpuLimit: input.tpuLimit ?? current.tpuLimit,
    holdPolicy: {
      plan: input.holdPlan ?? current.holdPolicy.plan,
      merge: input.holdMerge ?? current.holdPolicy.merge,
    },
    network: input.network ?? current.network,
    limits: {
      memoryMb: input.memoryMb ?? current.limits.memoryMb,
      cpus: input.cpus ?? current.limits.cpus,
      pids: input.pids ?? current.limits.pids,
      diskMb: input.diskMb ?? current.limits.diskMb ?? DEFAULT_DISK_MB,
    },
    timeoutSeconds: input.tpuTimeoutSeconds ?? current.timeoutSeconds,
    push: input.push ?? current.push,
    webhookUrl: input.webhookUrl === undefined ? (current.webhookUrl ?? null) : input.webhookUrl,
    holdDeadline: deadlineFrom(current.holdDeadline ?? null, input),
    executor: input.executor === undefined ? (current.executor ?? null) : input.executor,
    ...((input.agentProtocol ?? current.agentProtocol)
      ? { agentProtocol: input.agentProtocol ?? current.agentProtocol }
      : {}),
    ...((input.hostLostSeconds ?? current.hostLostSeconds)
      ? { hostLostSeconds: input.hostLostSeconds ?? current.hostLostSeconds }
      : {}),
  };
}

function deadlineFrom(
  current: ExecutionSettings['holdDeadline'],
  input: ExecutionSettingsInput,
): ExecutionSettings['holdDeadline'] {
  if (input.holdDeadlineSeconds === 0) return null;
  const seconds = input.holdDeadlineSeconds ?? current?.seconds;
  if (!seconds) return null;
  return { seconds, action: input.holdDeadlineAction ?? current?.action ?? 'reject' };
}
