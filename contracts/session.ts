import { z } from 'zod';
import { BranchName } from './git-inputs.js';
import { ProjectName, SessionId } from './ids.js';
import { StorableText } from './storable.js';
import { TimeoutSeconds } from './durations.js';
import { EndReason, SessionStatus, SessionType } from './session-types.js';
import { parseSessionCursor } from './session-cursor.js';

export const SESSION_PAGE_DEFAULT = 100;
export const SESSION_PAGE_MAX = 500;

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
    /** The worker host that holds the workspace (contracts/worker-hosts.ts); absent before hosts. */
    workspaceHost: z.string().optional(),
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
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(SESSION_PAGE_MAX)
    .default(SESSION_PAGE_DEFAULT)
    .describe(`Sessions in one page (default ${SESSION_PAGE_DEFAULT}, at most ${SESSION_PAGE_MAX})`),
  cursor: z
    .string()
    .max(64)
    .refine(
      (text) => parseSessionCursor(text) !== null,
      'not a cursor Tevis gave out: pass nextCursor as it was',
    )
    .optional()
    .describe("The last page's `nextCursor`: the page after it"),
});
export type SessionListQuery = z.input<typeof SessionListQuery>;

/** Newest first; `nextCursor` is null on the last page, so a list is never cut without saying so. */
export const SessionPage = z
  .object({ sessions: z.array(Session), nextCursor: z.string().nullable() })
  .meta({ id: 'SessionPage' });
export type SessionPage = z.infer<typeof SessionPage>;

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
