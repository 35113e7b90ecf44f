import { z } from 'zod';
import { ReviewState } from './review.js';
import { EndReason } from './session-types.js';

export const SessionSummary = z
  .object({
    sessionId: z.string(),
    project: z.string(),
    type: z.string(),
    branch: z.string(),
    reason: EndReason,
    startedAt: z.string(),
    endedAt: z.string(),
    timeSpentSeconds: z.number(),
    nanocycles: z.object({
      total: z.number().int(),
      completed: z.number().int(),
      byStatus: z.record(z.string(), z.number().int()),
      items: z
        .array(
          z.object({
            id: z.string(),
            name: z.string(),
            status: z.string(),
            commit: z.string().nullable(),
            filesChanged: z.number().int(),
            tpuSeconds: z.number(),
          }),
        )
        .optional(),
    }),
    filesChanged: z.array(
      z.object({ path: z.string(), additions: z.number().int(), deletions: z.number().int() }),
    ),
    commits: z.number().int(),
    startCommit: z.string().nullable(),
    endCommit: z.string().nullable(),
    metrics: z.record(z.string(), z.number()),
    /** Pushes the remote refused or that could not be made (`branch.push_failed`), oldest first. */
    pushFailures: z
      .array(
        z.object({ branch: z.string(), commit: z.string().nullable(), why: z.string(), error: z.string() }),
      )
      .optional(),
    /** Review sessions: the base and what was decided (merged, rejected, conflict or still pending). */
    review: ReviewState.optional(),
    markdown: z.string(),
  })
  .meta({ id: 'SessionSummary' });
export type SessionSummary = z.infer<typeof SessionSummary>;
