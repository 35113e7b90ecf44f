import { z } from 'zod';
import { StorableText } from './storable.js';
import { BranchName, RepositoryUrl } from './git-inputs.js';
import { ProjectName } from './ids.js';
import {
  DEFAULT_EXECUTION_SETTINGS,
  ExecutionSettings,
  ExecutionSettingsInput,
} from './execution-settings.js';
import {
  DEFAULT_ACTIVE_TIMEOUT_SECONDS,
  DEFAULT_PAUSED_TIMEOUT_SECONDS,
  TimeoutSeconds,
} from './durations.js';

export const PREFERENCE_KEY_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const PreferenceKey = z
  .string()
  .regex(PREFERENCE_KEY_PATTERN, 'a preference key is 1-64 of A-Z a-z 0-9 _ . -');
// JSON Schema shows neither a record's key schema nor a refine: say both as bounds.
export const PREFERENCE_BOUNDS = {
  propertyNames: { pattern: PREFERENCE_KEY_PATTERN.source },
  maxProperties: 100,
};
export const PreferenceValue = StorableText.max(2000);
export const Preferences = z
  .record(PreferenceKey, PreferenceValue)
  .refine((p) => Object.keys(p).length <= 100, {
    message: 'at most 100 preferences',
  })
  .meta(PREFERENCE_BOUNDS);

export const ProjectSettings = z
  .object({
    activeTimeoutSeconds: z.number().int().positive(),
    pausedTimeoutSeconds: z.number().int().positive(),
    preferences: z.record(z.string(), z.string()),
    execution: ExecutionSettings,
  })
  .meta({ id: 'ProjectSettings' });
export type ProjectSettings = z.infer<typeof ProjectSettings>;

export const DEFAULT_PROJECT_SETTINGS: ProjectSettings = {
  activeTimeoutSeconds: DEFAULT_ACTIVE_TIMEOUT_SECONDS,
  pausedTimeoutSeconds: DEFAULT_PAUSED_TIMEOUT_SECONDS,
  preferences: {},
  execution: DEFAULT_EXECUTION_SETTINGS,
};

export const ProjectCreate = z
  .strictObject({
    name: ProjectName,
    repository: RepositoryUrl,
    defaultBranch: BranchName.default('main'),
    activeTimeout: TimeoutSeconds.optional(),
    pausedTimeout: TimeoutSeconds.optional(),
    preferences: Preferences.optional(),
    execution: ExecutionSettingsInput.optional(),
  })
  .meta({ id: 'ProjectCreate' });
export type ProjectCreate = z.input<typeof ProjectCreate>;

export const ProjectUpdate = z
  .strictObject({
    repository: RepositoryUrl.optional(),
    defaultBranch: BranchName.optional(),
    activeTimeout: TimeoutSeconds.optional(),
    pausedTimeout: TimeoutSeconds.optional(),
    /** Merged into the existing preferences; a key set to null is removed. */
    preferences: z
      .record(PreferenceKey, PreferenceValue.nullable())
      .meta({ propertyNames: PREFERENCE_BOUNDS.propertyNames })
      .optional(),
    execution: ExecutionSettingsInput.optional(),
  })
  .meta({ id: 'ProjectUpdate' });
export type ProjectUpdate = z.input<typeof ProjectUpdate>;

export const Project = z
  .object({
    name: z.string(),
    repository: z.string(),
    defaultBranch: z.string(),
    settings: ProjectSettings,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Project' });
export type Project = z.infer<typeof Project>;
