import { z } from 'zod';
import { BranchName } from './git-inputs.js';
import { ProjectName, SessionId } from './ids.js';
import { StorableText } from './storable.js';
import { TimeoutSeconds } from './durations.js';
import { EndReason, SessionStatus, SessionType } from './session-types.js';

export const SessionCreate = z
  .strictObject({
    project: ProjectName,
    type: SessionType.optional(),
    /** Defaults to the project's default branch (review sessions must name theirs). */
    branch: BranchName.optional(),
    /** Reuse the type, branch and timeouts of the project's most recent session. */
    fromConfig: z.boolean().optional(),
    activeTimeout: TimeoutSeconds.optional(),
    pausedTimeout: TimeoutSeconds.optional(),
  })
  .meta({ id: 'SessionCreate' });
export type SessionCreate = z.input<typeof SessionCreate>;

/** What a session was configured with: what `--from-config` copies into the next one. */
export const SessionConfig = z
  .object({
    type: SessionType,
    branch: z.string(),
    activeTimeoutSeconds: z.number().int().positive(),
    pausedTimeoutSeconds: z.number().int().positive(),
  })
  .meta({ id: 'SessionConfig' });
export type SessionConfig = z.infer<typeof SessionConfig>;

export const Session = z
  .object({
    id: z.string(),
    project: z.string(),
    repository: z.string(),
    type: SessionType,
    branch: z.string(),
    status: SessionStatus,
    config: SessionConfig,
    workspacePath: z.string().nullable(),
    startCommit: z.string().nullable(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    endReason: EndReason.nullable(),
    failure: z.string().nullable(),
    lastActivityAt: z.string(),
  })
  .meta({ id: 'Session' });
export type Session = z.infer<typeof Session>;

export const SessionListQuery = z.object({
  project: ProjectName.optional(),
  status: SessionStatus.optional(),
  type: SessionType.optional(),
  /** Without it only open sessions (starting, active, paused, ending) are listed. */
  all: z.enum(['true', 'false']).optional(),
});

export const SessionSwitch = z
  .strictObject({
    /**
     * Accepted from older clients and not used: the server finds the project's active session
     * itself, and sessions of other projects stay as they are.
     */
    previous: SessionId.optional(),
  })
  .meta({ id: 'SessionSwitch' });

export const PlanDraft = z.strictObject({ plan: StorableText.max(200_000) }).meta({ id: 'PlanDraft' });
