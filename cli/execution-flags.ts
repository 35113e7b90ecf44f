import { Option, type Command } from 'commander';
import {
  AGENT_PROTOCOLS,
  type AgentProtocol,
  PUSH_POLICIES,
  type ExecutionSettingsInput,
} from '../contracts/execution-settings.js';
import { parseDecimal, parseDuration, parseInteger, parseMemoryMb } from './option-parsers.js';

/**
 * The execution settings of a project as `project create|update` flags. The parsers only turn
 * text into numbers; ranges stay with ExecutionSettingsInput in contracts/.
 */
export interface ExecutionFlags {
  image?: string;
  /** A command, or false from `--no-agent` (clears it). */
  agent?: string | false;
  agentProtocol?: AgentProtocol;
  tpuLimit?: number;
  holdPlan?: boolean;
  holdMerge?: boolean;
  network?: boolean;
  memory?: number;
  cpus?: number;
  pids?: number;
  disk?: number;
  tpuTimeout?: number;
  push?: (typeof PUSH_POLICIES)[number];
  /** A URL, or false from `--no-webhook` (clears it). */
  webhook?: string | false;
  holdDeadline?: number;
  holdDeadlineAction?: 'reject' | 'pause';
  executor?: 'docker' | 'sandbox' | 'any';
  hostLost?: number;
}

/** Request body paths as the flags that set them, for validation messages. */
export const EXECUTION_FLAG_NAMES: Record<string, string> = {
  'execution.image': '--image',
  'execution.agent': '--agent',
  'execution.tpuLimit': '--tpu-limit',
  'execution.holdPlan': '--hold-plan',
  'execution.holdMerge': '--hold-merge',
  'execution.network': '--network',
  'execution.memoryMb': '--memory',
  'execution.cpus': '--cpus',
  'execution.pids': '--pids',
  'execution.diskMb': '--disk',
  'execution.tpuTimeoutSeconds': '--tpu-timeout',
  'execution.push': '--push',
  'execution.webhookUrl': '--webhook',
  'execution.holdDeadlineSeconds': '--hold-deadline',
  'execution.holdDeadlineAction': '--hold-deadline-action',
  'execution.executor': '--executor',
  'execution.hostLostSeconds': '--host-lost',
  'execution.agentProtocol': '--agent-protocol',
};

export function addExecutionOptions(command: Command, { update }: { update: boolean }): Command {
  command
    .option('--image <ref>', 'TPU container image (default tevis-tpu:latest)')
    .option(
      '--agent <command>',
      "the coding agent's command line, run with sh -c; gets the goal in TEVIS_GOAL",
    );
  command.addOption(
    new Option(
      '--agent-protocol <protocol>',
      'how the agent is spoken to: command (TEVIS_GOAL, exit 75 asks; default) or acp (the Agent Client Protocol over its stdio)',
    ).choices([...AGENT_PROTOCOLS]),
  );
  // Each --no-X after its --X: defined first, commander would make X default to true.
  if (update) command.option('--no-agent', 'remove the agent command');
  command
    .option('--tpu-limit <n>', 'nanocycles that run at once per session (1-16, default 2)', parseInteger)
    .option('--hold-plan', 'stop before each nanocycle runs, for a person to approve its goal')
    .option('--no-hold-plan', 'run nanocycles without a plan hold point (default)')
    .option('--hold-merge', 'stop before merging, for a person to review (default)')
    .option('--no-hold-merge', 'merge completed nanocycles without review')
    .option('--network', 'give TPUs network access')
    .option('--no-network', 'TPUs have no network, only loopback (default)')
    .option('--memory <mb>', 'TPU memory limit in MB, e.g. 1024 or 2g (default 1024)', parseMemoryMb)
    .option('--cpus <n>', 'TPU CPU limit, e.g. 1.5 (default 1)', parseDecimal)
    .option('--pids <n>', 'TPU process limit (default 256)', parseInteger)
    .option(
      '--disk <mb>',
      'what a TPU may write into its worktree, in MB, e.g. 512 or 2g (default 1024)',
      parseMemoryMb,
    )
    .option(
      '--tpu-timeout <duration>',
      "stop a TPU run after this long, e.g. 30m or 1h (default 1h); an ACP agent's time waiting on a person's answer does not count",
      parseDuration,
    )
    .addOption(
      new Option(
        '--push <policy>',
        'what reaches the remote: never; nanocycle-branches (default: each merged feat/nc-NNN-… branch, never the session branch); on-merge or on-end (those, and the session branch after each merge or at the end)',
      ).choices(PUSH_POLICIES),
    )
    .option(
      '--webhook <url>',
      'POST each hold point opened and resolved here, signed with HMAC-SHA256 (TEVIS_WEBHOOK_SECRET)',
    )
    .option(
      '--hold-deadline <duration>',
      'what nobody answers in this long gets --hold-deadline-action, e.g. 24h; 0 removes it',
      parseDuration,
    )
    .addOption(
      new Option(
        '--hold-deadline-action <action>',
        'at the deadline: reject the hold point or pause the session (default reject)',
      ).choices(['reject', 'pause']),
    )
    .addOption(
      new Option(
        '--executor <kind>',
        "the TPU executor nanocycles must run on; any: the worker's (default)",
      ).choices(['docker', 'sandbox', 'any']),
    )
    .option(
      '--host-lost <duration>',
      "a worker host that takes none of a session's work this long is taken for lost, and the session moves to another host, e.g. 5m (default 2m)",
      parseDuration,
    );
  if (update) command.option('--no-webhook', 'remove the webhook');
  return command;
}

/** The flags given, as the API's `execution` object; undefined when none was given. */
export function executionInput(flags: ExecutionFlags): ExecutionSettingsInput | undefined {
  const input: ExecutionSettingsInput = {
    image: flags.image,
    agent: flags.agent === false ? null : flags.agent,
    agentProtocol: flags.agentProtocol,
    tpuLimit: flags.tpuLimit,
    holdPlan: flags.holdPlan,
    holdMerge: flags.holdMerge,
    network: flags.network,
    memoryMb: flags.memory,
    cpus: flags.cpus,
    pids: flags.pids,
    diskMb: flags.disk,
    tpuTimeoutSeconds: flags.tpuTimeout,
    push: flags.push,
    webhookUrl: flags.webhook === false ? null : flags.webhook,
    holdDeadlineSeconds: flags.holdDeadline,
    holdDeadlineAction: flags.holdDeadlineAction,
    executor: flags.executor === 'any' ? null : flags.executor,
    hostLostSeconds: flags.hostLost,
  };
  const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  return Object.keys(given).length ? (given as ExecutionSettingsInput) : undefined;
}
