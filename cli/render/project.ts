import { formatDuration } from '../../contracts/durations.js';
import type { Project } from '../../contracts/project.js';
import { formatTimestamp, renderFields, renderTable } from '../output.js';

export function renderProject(project: Project): string {
  const preferences = Object.entries(project.settings.preferences);
  return renderFields([
    ['Project', project.name],
    ['Repository', project.repository],
    ['Default branch', project.defaultBranch],
    ['Active timeout', formatDuration(project.settings.activeTimeoutSeconds)],
    ['Paused timeout', formatDuration(project.settings.pausedTimeoutSeconds)],
    ['Preferences', preferences.length ? preferences.map(([key, value]) => `\n  ${key}=${value}`).join('') : 'none'],
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
