import { asc, eq } from 'drizzle-orm';
import { TevisError, isUniqueViolation } from '../contracts/errors.js';
import { DEFAULT_PROJECT_SETTINGS, type Project, type ProjectSettings } from '../contracts/project.js';
import type { Database } from './database.js';
import { projects } from './schema.js';

type ProjectRow = typeof projects.$inferSelect;

export function toProject(row: ProjectRow): Project {
  return {
    name: row.name,
    repository: row.repository,
    defaultBranch: row.defaultBranch,
    // Projects made before a setting existed get its default.
    settings: {
      ...DEFAULT_PROJECT_SETTINGS,
      ...row.settings,
      execution: { ...DEFAULT_PROJECT_SETTINGS.execution, ...row.settings.execution },
    },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface NewProject {
  name: string;
  repository: string;
  defaultBranch: string;
  settings: ProjectSettings;
}

export async function insertProject(db: Database, project: NewProject): Promise<Project> {
  try {
    const [row] = await db.insert(projects).values(project).returning();
    return toProject(row!);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new TevisError(
        'project-exists',
        `project "${project.name}" already exists; change it with \`tevis project update ${project.name}\``,
        {
          project: project.name,
        },
      );
    }
    throw error;
  }
}

export async function findProject(db: Database, name: string): Promise<Project | null> {
  const [row] = await db.select().from(projects).where(eq(projects.name, name));
  return row ? toProject(row) : null;
}

export async function getProject(db: Database, name: string): Promise<Project> {
  const project = await findProject(db, name);
  if (!project) {
    throw new TevisError(
      'project-not-found',
      `no project named "${name}"; create it with \`tevis project create ${name} --repo URL\``,
      { project: name },
    );
  }
  return project;
}

export async function listProjects(db: Database): Promise<Project[]> {
  const rows = await db.select().from(projects).orderBy(asc(projects.name));
  return rows.map(toProject);
}

/**
 * Changes a project's preferences with its row locked, so two changes at once both count; run it
 * in the caller's transaction to write the change's event with it. Only the preferences change:
 * the other settings stay as stored, not filled in with today's defaults.
 */
export async function changeProjectPreferences(
  db: Database,
  name: string,
  change: (preferences: Record<string, string>) => Record<string, string>,
): Promise<Project> {
  const [locked] = await db.select().from(projects).where(eq(projects.name, name)).for('update');
  if (!locked) throw new TevisError('project-not-found', `no project named "${name}"`);
  const preferences = change(locked.settings.preferences);
  return saveProject(db, name, {
    repository: locked.repository,
    defaultBranch: locked.defaultBranch,
    settings: { ...locked.settings, preferences },
  });
}

export async function saveProject(
  db: Database,
  name: string,
  changes: Omit<NewProject, 'name'>,
): Promise<Project> {
  const [row] = await db
    .update(projects)
    .set({ ...changes, updatedAt: new Date() })
    .where(eq(projects.name, name))
    .returning();
  if (!row) throw new TevisError('project-not-found', `no project named "${name}"`, { project: name });
  return toProject(row);
}
