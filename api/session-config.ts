import { TevisError } from '../contracts/errors.js';
import type { SessionConfig, SessionCreate } from '../contracts/session.js';
import type { SessionType } from '../contracts/session-types.js';
import type { Database } from '../db/database.js';
import { getProject } from '../db/projects-store.js';
import { latestSessionConfig } from '../db/sessions-store.js';

/**
 * A new session's configuration: what the request names, else the project's previous session
 * (with `fromConfig`), else the project's defaults. A review session must name a branch other
 * than the default one, since it reviews that branch against it.
 */
export async function resolveSessionConfig(
  db: Database,
  input: SessionCreate & { project: string },
): Promise<SessionConfig> {
  const project = await getProject(db, input.project);
  const previous = input.fromConfig ? await latestSessionConfig(db, project.name) : null;
  if (input.fromConfig && !previous) {
    throw new TevisError(
      'no-previous-session',
      `project "${project.name}" has no earlier session to take a configuration from; create one without --from-config`,
    );
  }
  const type: SessionType = input.type ?? previous?.type ?? 'development';
  const branch = input.branch ?? previous?.branch ?? (type === 'review' ? undefined : project.defaultBranch);
  if (!branch)
    throw new TevisError(
      'validation',
      'a review session is bound to a branch: pass --branch (API: "branch")',
    );
  if (type === 'review' && branch === project.defaultBranch) {
    throw new TevisError(
      'validation',
      `a review session reviews a branch against the project's default branch (${project.defaultBranch}); pass another --branch, e.g. --branch feat/…`,
    );
  }
  return {
    type,
    branch,
    activeTimeoutSeconds:
      (input.activeTimeout as number | undefined) ??
      previous?.activeTimeoutSeconds ??
      project.settings.activeTimeoutSeconds,
    pausedTimeoutSeconds:
      (input.pausedTimeout as number | undefined) ??
      previous?.pausedTimeoutSeconds ??
      project.settings.pausedTimeoutSeconds,
  };
}
