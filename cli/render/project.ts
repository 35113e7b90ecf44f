import { formatDuration } from '../../contracts/durations.js';
import {
  DEFAULT_DISK_MB,
  DEFAULT_EXECUTION_SETTINGS,
  pushPolicyOf,
  type ExecutionSettings,
  type PushPolicy,
} from '../../contracts/execution-settings.js';
import type { Project } from '../../contracts/project.js';
import { formatTimestamp, renderFields, renderTable } from '../output.js';
import { DEFAULT_HOST_LOST_SECONDS } from '../../contracts/worker-hosts.js';

/** `merge`, `plan, merge` or `none`: where nanocycles stop for a person. */
export function holdPolicyText(policy: ExecutionSettings['holdPolicy']): string {
  const kinds = [policy.plan && 'plan', policy.merge && 'merge'].filter(Boolean);
  return kinds.length ? kinds.join(', ') : 'none';
}

/** The execution settings, indented under `Execution:` in `project show`. */
/** The push policy and what it sends, in words. */
function pushPolicyText(policy: PushPolicy): string {
  switch (policy) {
    case 'never':
      return 'never (nothing reaches the remote)';
    case 'nanocycle-branches':
      return 'nanocycle-branches (each merged nanocycle branch; never the session branch)';
    case 'on-merge':
      return 'on-merge (nanocycle branches, and the session branch after each merge)';
    case 'on-end':
      return 'on-end (nanocycle branches, and the session branch when the session ends)';
  }
}

function renderExecutionSettings(execution: ExecutionSettings): string {
  const { limits } = execution;
  return renderFields(
    [
      ['Image', execution.image],
      ['Agent', execution.agent ?? 'none (nanocycles need --run steps, or set one with --agent)'],
      ['TPU limit', `${execution.tpuLimit} at once per session`],
      ['Hold points', holdPolicyText(execution.holdPolicy)],
      ['Network', execution.network ? 'allowed' : 'none (loopback only)'],
      ['Executor', execution.executor ?? "the worker's (TEVIS_TPU_EXECUTOR)"],
      [
        'Limits',
        `${limits.memoryMb} MB memory, ${limits.cpus} CPU${limits.cpus === 1 ? '' : 's'}, ${limits.pids} processes, ${limits.diskMb ?? DEFAULT_DISK_MB} MB disk`,
      ],
      ['TPU timeout', formatDuration(execution.timeoutSeconds)],
      ['Push', pushPolicyText(pushPolicyOf(execution))],
      [
        'Hold deadline',
        execution.holdDeadline
          ? `${formatDuration(execution.holdDeadline.seconds)}, then ${execution.holdDeadline.action === 'pause' ? 'pause the session' : 'reject'}`
          : 'none',
      ],
      ['Webhook', execution.webhookUrl ?? 'none'],
      [
        'Host lost after',
        `${formatDuration(execution.hostLostSeconds ?? DEFAULT_HOST_LOST_SECONDS)} without work taken (then the session moves host)`,
      ],
    ],
    '  ',
  );
}

export function renderProject(project: Project): string {
  const preferences = Object.entries(project.settings.preferences);
  // A record written before execution settings existed has none; the API fills in the defaults.
  const execution = project.settings.execution ?? DEFAULT_EXECUTION_SETTINGS;
  return renderFields([
    ['Project', project.name],
    ['Repository', project.repository],
    ['Default branch', project.defaultBranch],
    ['Active timeout', formatDuration(project.settings.activeTimeoutSeconds)],
    ['Paused timeout', formatDuration(project.settings.pausedTimeoutSeconds)],
    [
      'Preferences',
      preferences.length ? preferences.map(([key, value]) => `\n  ${key}=${value}`).join('') : 'none',
    ],
    ['Execution', `\n${renderExecutionSettings(execution)}`],
    ['Created', formatTimestamp(project.createdAt)],
    ['Updated', formatTimestamp(project.updatedAt)],
  ]);
}

export function renderProjectTable(projects: Project[]): string {
  if (!projects.length) return 'no projects; create one with `tevis project create NAME --repo URL`';
  return renderTable(
    ['NAME', 'REPOSITORY', 'BRANCH', 'CREATED'],
    projects.map((p) => [p.name, p.repository, p.defaultBranch, formatTimestamp(p.createdAt)]),
  );
}
